"""The frequency tables the synthetic persons are drawn from: given names (male, female) and family names in Arabic
script with their Latin spellings, the roots family names are built from, and communes in both scripts.

Data, not code: one line a name, so the file is long by nature.
"""

# Arabic | Latin spellings, most common first | relative frequency.  Arabic alternatives are separated by ";".
MALE = """
محمد|Mohammed,Mohamed,Mhamed,Muhammad,Mohamad,Mouhamed|150
أحمد|Ahmed,Ahmad|40
عبد الله;عبدالله|Abdellah,Abdallah,Abdullah|25
يوسف|Youssef,Yousef,Youcef,Yusuf|25
عمر|Omar,Oumar|15
لحسن|Lahcen,Lahsen|18
الحسين|Lhoussine,El Houssine,Houssine,Lhoucine|15
حسن|Hassan,Hassane,Hasan|12
إدريس;ادريس|Driss,Idriss,Idris|15
عبد الرحمان;عبد الرحمن;عبدالرحمان|Abderrahmane,Abdelrahman,Abderahmane,Abdel Rahman|15
رشيد|Rachid,Rashid|15
مصطفى|Mustapha,Mostafa,Moustafa,Mustafa|15
سعيد|Said,Saïd,Saaid|15
عبد الكريم|Abdelkrim,Abdelkarim|10
خالد|Khalid,Khaled|15
كريم|Karim|10
هشام|Hicham,Hisham|10
ياسين|Yassine,Yacine,Yasin|15
أيوب|Ayoub,Ayyoub|12
أنس|Anas,Anass|10
حمزة|Hamza,Hamzah|12
إبراهيم;ابراهيم|Brahim,Ibrahim|15
إسماعيل;اسماعيل|Ismail,Smail,Ismaïl|10
عثمان|Othmane,Othman|8
عبد العزيز|Abdelaziz,Abdelaaziz|8
عبد القادر|Abdelkader,Abdelkadir,Abdelqader|10
عبد السلام|Abdeslam,Abdessalam,Abdesslam|10
عبد الصمد|Abdessamad,Abdelsamad|6
عبد اللطيف|Abdellatif,Abd El Latif|8
نور الدين|Noureddine,Nour Eddine,Nour-Eddine|8
جمال|Jamal,Djamal|10
عزيز|Aziz|6
المهدي|El Mehdi,Elmehdi,Mehdi|8
زكرياء;زكريا|Zakaria,Zakariae,Zakariya|10
بلال|Bilal,Belal|8
طه|Taha|5
إلياس;الياس|Ilyas,Ilias,Elias|6
سفيان|Soufiane,Sofiane,Sufyan|8
مروان|Marouane,Marwane,Marwan|6
رضوان|Redouane,Ridouane,Radouane,Redwane|6
عادل|Adil,Adel|8
نبيل|Nabil|6
فؤاد|Fouad,Fuad|5
توفيق|Taoufik,Toufik,Tawfiq|6
عبد الحق|Abdelhak,Abdelhaq|5
عبد الإله;عبد الاله|Abdelilah,Abdelillah|6
سمير|Samir|6
منير|Mounir,Munir|6
عماد|Imad,Imade|6
أمين|Amine,Amin|10
محمد أمين|Mohamed Amine,Mohammed Amine,Mohamed-Amine|8
وليد|Walid,Oualid|6
صلاح الدين|Salaheddine,Salah Eddine|5
عبد الواحد|Abdelouahed,Abdelwahed|5
حميد|Hamid|8
علي|Ali|10
عبد الغني|Abdelghani,Abdelghni|5
مراد|Mourad,Murad|7
نور|Nour|3
بوشعيب|Bouchaib,Bouchaïb|6
الطيب|Tayeb,Taieb,Et-Tayeb|5
العربي|Larbi,El Arbi|8
"""

FEMALE = """
فاطمة|Fatima,Fatema,Fatma,Fatimah|80
فاطمة الزهراء|Fatima Zahra,Fatimazahra,Fatima-Zahra,Fatima Ezzahra|30
خديجة|Khadija,Khadidja,Khadîja|40
عائشة;عايشة|Aicha,Aïcha,Aisha|25
مريم|Meryem,Maryam,Mariam,Meriem|25
زينب|Zineb,Zaynab,Zainab|20
نعيمة|Naima,Naïma|15
سعاد|Souad,Suad|12
حنان|Hanane,Hanan|12
نادية|Nadia,Nadiya|12
لطيفة|Latifa|10
رشيدة|Rachida,Rashida|10
مليكة|Malika|12
سميرة|Samira|10
حياة|Hayat,Hayate|8
إيمان;ايمان|Imane,Iman|15
سكينة|Soukaina,Soukayna,Sokaina|12
هاجر|Hajar,Hajer|12
سلمى|Salma,Selma|12
ياسمين|Yasmine,Yasmina|10
آية;اية|Aya|10
أسماء;اسماء|Asmae,Asmaa,Asma|12
وفاء|Wafae,Ouafae,Wafaa|8
نجاة|Najat,Najate|8
حليمة|Halima|10
رقية|Rkia,Rokaya,Roqia|10
الزهرة|Zahra,Zohra,Ezzahra|12
كريمة|Karima|10
سناء|Sanae,Sanaa,Sana|10
إلهام;الهام|Ilham,Elham|8
بشرى|Bouchra,Bushra|10
نزهة|Nezha,Nouzha|8
سلوى|Salwa,Saloua|6
أمينة;امينة|Amina|12
جميلة|Jamila,Djamila|8
حفيظة|Hafida,Hafidha|6
صفاء|Safae,Safaa|8
غزلان|Ghizlane,Ghizlan|8
كوثر|Kaoutar,Kawtar,Kaouthar|8
أميمة|Oumaima,Omaima,Oumayma|8
شيماء|Chaimae,Chaima,Shaimaa|10
ابتسام|Ibtissam,Ibtisam|6
لبنى|Loubna,Lubna|8
حسناء|Hasnae,Hasna,Hasnaa|8
مونية|Mounia,Monia|6
ليلى|Leila,Laila,Layla|8
سهام|Siham|8
رجاء|Rajae,Rajaa|6
سارة|Sara,Sarah|10
نور الهدى|Nour El Houda,Nourelhouda,Nour Elhouda|6
"""

FAMILY = """
العلوي|Alaoui,El Alaoui|30
الإدريسي;الادريسي|Idrissi,El Idrissi,Elidrissi|30
بناني|Bennani,Benani|20
التازي|Tazi,Ettazi|15
الفاسي|Fassi,El Fassi,Elfassi|15
برادة|Berrada,Berada|12
الشرايبي|Chraibi,Cheraibi|12
العمراني|Amrani,El Amrani,Elamrani|20
بنعلي;بن علي|Benali,Ben Ali|15
بنجلون|Benjelloun,Benjeloun,Ben Jelloun|15
لحلو|Lahlou|8
الكتاني|Kettani,El Kettani|10
الوزاني|Ouazzani,El Ouazzani|15
الصقلي|Sqalli,Skalli|6
بنكيران|Benkirane,Benkiran|10
المنصوري|Mansouri,El Mansouri|15
الحسني|Hassani,El Hassani|15
الرحماني|Rahmani,Errahmani|10
بوزيدي|Bouzidi|10
الزياني|Ziani,Zayani|10
بلحاج|Belhaj,Belhadj,Bel Haj|12
السعدي|Saadi,Essaadi|12
الناصري|Naciri,Nasiri,Ennaciri|12
الغزالي|Ghazali,El Ghazali|8
البقالي|Bakkali,El Bakkali,Baqali|12
الحمداوي|Hamdaoui,El Hamdaoui|10
بنسعيد|Bensaid,Ben Said|10
بوعزة|Bouazza|8
الخطابي|Khattabi,El Khattabi|10
الصديقي|Seddiki,Siddiqi|8
العثماني|Othmani,El Othmani|10
بنموسى|Benmoussa,Ben Moussa|8
الطاهري|Tahiri,Taheri,Ettahiri|12
الرامي|Rami,Errami|6
أيت علي;ايت علي|Ait Ali,Aitali|10
الشاوي|Chaoui|8
الريفي|Rifi,Errifi|8
المرابط|Mrabet,El Mrabet|8
بوطالب|Boutaleb|6
الكبير|Kabir,El Kabir|6
بلقاسم|Belkacem,Belkassem,Belqasem|8
بنعبد الله|Benabdellah,Ben Abdellah|8
الجراري|Jirari,Jarrari|6
الدكالي|Doukkali,Dokkali|8
الزموري|Zemmouri|6
الصنهاجي|Sanhaji|6
اليعقوبي|Yacoubi,Yaakoubi,El Yacoubi|8
الحداد|Haddad,El Haddad|10
النجار|Najjar,Ennajjar|8
الخياطي|Khayati,El Khayati|6
الفيلالي|Filali,El Filali|10
بنشقرون|Benchekroun,Bencheqroun|6
الغربي|Gharbi,El Gharbi|8
السوسي|Soussi,Essoussi|8
المراكشي|Marrakchi,El Marrakchi|8
الرباطي|Rbati,Rabati|6
أمزيان;امزيان|Amziane,Amzian|6
أخنوش|Akhannouch,Akhnouch|4
حجي|Hajji,Hadji|8
حدو|Haddou,Hadou|8
الأنصاري;الانصاري|Ansari,El Ansari|8
البوعزاوي|Bouazzaoui|6
الحيان|Hayane|4
الزروالي|Zerouali,Zeroual|8
الطالبي|Talbi,Ettalbi|8
الكرعاني|Kraini|4
الوردي|Ouardi,El Ouardi|6
الناجي|Naji,Ennaji|8
المسعودي|Messaoudi,El Messaoudi|8
القاسمي|Kasmi,Qasmi,El Kasmi|8
الشرقاوي|Cherkaoui,Charkaoui|10
البركاني|Berkani,El Berkani|8
الودغيري|Oudghiri|6
الحلوي|Halaoui|4
بوكيلي|Boukili|4
الطويل|Touil,Ettouil|4
الجبلي|Jebli,El Jebli|6
التوزاني|Touzani|6
العياشي|Ayachi,El Ayachi|6
الزهراوي|Zahraoui|6
الهواري|Houari,El Houari|6
بنيس|Bennis|6
السبتي|Sebti,Essebti|6
لزرق|Lazraq,Lazrak|5
كسوس|Guessous|5
السلاوي|Slaoui,Sellaoui|6
الصفريوي|Sefrioui|5
المرنيسي|Mernissi|5
القباج|Kabbaj,Qabbaj|5
بنسليمان|Benslimane|5
الزنيبر|Zniber|4
بلخياط|Belkhayat|4
الموساوي|Moussaoui,El Moussaoui|8
الوالي|Ouali|6
القادري|Kadiri,Qadiri,El Kadiri|8
الغازي|Ghazi|5
الراجي|Raji,Erraji|6
الصبري|Sabri|5
السعيدي|Saidi,Essaidi|8
الصالحي|Salhi|6
السباعي|Sbai,Sebbai|6
التومي|Toumi|5
اليوسفي|Youssfi,Yousfi,El Youssfi|8
الزاهري|Zahiri|5
الزكي|Zaki|4
الهلالي|Hilali,El Hilali|7
المودن|Moudden|4
العزوزي|Azzouzi,El Azzouzi|7
الخلفي|Khalfi|5
الفقيه|Fakih,Fqih|5
المحمدي|Mohammadi,Mohamadi|7
الأحمدي;الاحمدي|Ahmadi,El Ahmadi|7
الحسيني|Housseini,Husseini|5
العلمي|Alami,El Alami|10
بوعلام|Boualam|4
الصغير|Sghir,Seghir|5
الكريمي|Karimi|5
الرحالي|Rahali,Rahhali|5
الحجوجي|Hajjouji|4
الداودي|Daoudi|6
المريني|Merini|5
بنحدو|Benhaddou|5
السرغيني|Serghini,Sarghini|5
الخالدي|Khalidi,Khaldi|6
الغرباوي|Gharbaoui|4
المكناسي|Meknassi|5
الطنجاوي|Tanjaoui|4
البيضاوي|Beidaoui|4
الجديدي|Jadidi|4
العبدلاوي|Abdellaoui|5
الدباغ|Debbagh,Dabbagh|5
الخراز|Kharraz|4
الزرهوني|Zerhouni|5
الشامي|Chami|4
المساري|Messari|4
الحراق|Harrak|4
البوعناني|Bouanani|4
التجاني|Tijani,Tidjani|6
الشاذلي|Chadli|5
الهاشمي|Hachimi,Hachemi|7
الأزهري;الازهري|Azhari|4
البشيري|Bachiri|4
المنوني|Mennouni|4
الصابري|Sabiri|4
أوحمو|Ouhammou|4
أيت سعيد|Ait Said|5
أمغار|Amghar|5
بوشتى|Bouchta|4
بوجمعة|Boujemaa|4
بوخريص|Boukhris|5
الفلاحي|Fellahi|4
البكاري|Bakkari|5
الجزولي|Jazouli|4
الراضي|Radi|5
الشرقي|Cherki,Charki|5
الناظوري|Nadori|4
"""

# Roots of family names built as Ben / Bou / Ait + a name (Benomar, Bouzid, Ait Brahim) or as a nisba (Omari).
BUILT_FROM = ("أحمد|Ahmed", "عمر|Omar", "يوسف|Youssef", "إبراهيم|Brahim", "موسى|Moussa", "عيسى|Aissa",
               "سليمان|Slimane", "حمو|Hammou", "عبو|Abbou", "داود|Daoud", "يحيى|Yahya", "قاسم|Kacem",
               "صالح|Salah", "زيان|Zayane", "شريف|Cherif", "منصور|Mansour", "مسعود|Messaoud",
               "عزوز|Azzouz", "ناصر|Nasser", "جلول|Jelloul", "حدو|Haddou", "باها|Baha", "علا|Alla")

# Communes: (Latin, Arabic) pairs with the same name key.
COMMUNES = (
    ("Berkane", "بركان"), ("Ahfir", "أحفير"), ("Saidia", "السعيدية"), ("Nador", "الناظور"), ("Taourirt", "تاوريرت"),
    ("Jerada", "جرادة"), ("Tinghir", "تنغير"), ("Bouarfa", "بوعرفة"), ("Zaio", "زايو"), ("Selouane", "سلوان"),
    ("Driouch", "الدريوش"), ("Zagora", "زاكورة"), ("Taza", "تازة"), ("Fes", "فاس"), ("Meknes", "مكناس"),
    ("Rabat", "الرباط"), ("Sale", "سلا"), ("Temara", "تمارة"), ("Kenitra", "القنيطرة"), ("Tiflet", "تيفلت"),
    ("Tetouan", "تطوان"), ("Azilal", "أزيلال"), ("Ksar El Kebir", "القصر الكبير"), ("Chefchaouen", "شفشاون"),
    ("Al Hoceima", "الحسيمة"), ("Marrakech", "مراكش"), ("Safi", "آسفي"), ("Essaouira", "الصويرة"),
    ("Agadir", "أكادير"), ("Tiznit", "تيزنيت"), ("Taroudant", "تارودانت"), ("Ouarzazate", "ورزازات"),
    ("Errachidia", "الرشيدية"), ("Midelt", "ميدلت"), ("Khenifra", "خنيفرة"), ("Beni Mellal", "بني ملال"),
    ("Khouribga", "خريبكة"), ("Settat", "سطات"), ("Berrechid", "برشيد"), ("El Jadida", "الجديدة"),
    ("Sidi Bennour", "سيدي بنور"), ("Mohammedia", "المحمدية"), ("Benslimane", "بنسليمان"),
    ("Khemisset", "الخميسات"), ("Sidi Kacem", "سيدي قاسم"), ("Sidi Slimane", "سيدي سليمان"),
    ("Ouezzane", "وزان"), ("Sefrou", "صفرو"), ("Ifrane", "إفران"), ("Azrou", "أزرو"),
)

# Rural communes are named after a saint, a tribe or a market day: Sidi Bouzid, Ouled Ayad, Ait Ourir, Had Soualem.
COMMUNE_PREFIXES = (("Sidi", "سيدي"), ("Ouled", "أولاد"), ("Ait", "أيت"), ("Beni", "بني"), ("Ain", "عين"),
                     ("Had", "حد"), ("Sebt", "سبت"), ("Jemaa", "جمعة"))

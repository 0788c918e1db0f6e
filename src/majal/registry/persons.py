"""Synthetic Moroccan person records with known truth, for testing and benchmarking entity resolution.

People live in households (a family name shared by the children, spouses keeping their own, one commune, often one
phone); given and family names come in both scripts with realistic frequency (Mohammed, Fatima, Khadija are common).
Each person appears in one to five records, as lists do in life: names in Arabic script or in one of their Latin
spellings, compound names written together or apart, the article written or not, typing errors, given and family
name swapped, missing fields, birth dates with errors (day and month swapped, a wrong digit, the year only, a year off),
and national identifiers (IDCS, CNIE) on some records, always right when present.

`synthesize(n, seed)` is deterministic: the same n and seed give the same records, row for row.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pyarrow as pa

__all__ = ["COLUMNS", "RATES", "Name", "misspelled", "name_members", "spelled", "synthesize", "wrong_date"]

# How often each record departs from the person's true details (transliteration variants come on top: a third of
# the records are in Arabic script, the others in one of the name's Latin spellings).
RATES = {
    "typo": 0.05,            # per name: a letter replaced, dropped, added, doubled or two letters swapped
    "swap": 0.04,            # given and family names in each other's field
    "date_missing": 0.06,
    "date_error": 0.08,      # day and month swapped, the year only (YYYY-01-01), a year off, a wrong digit
    "sex_missing": 0.05,
    "commune_missing": 0.05,
    "commune_other": 0.02,   # the person moved, or the list names another commune
    "arabic": 0.35,
}

COLUMNS = ("id", "first_name", "last_name", "birth_date", "sex", "commune", "national_id", "phone", "household_id")

# Arabic | Latin spellings, most common first | relative frequency.  Arabic alternatives are separated by ";".
_MALE = """
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

_FEMALE = """
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

_FAMILY = """
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
_BUILT_FROM = ("أحمد|Ahmed", "عمر|Omar", "يوسف|Youssef", "إبراهيم|Brahim", "موسى|Moussa", "عيسى|Aissa",
               "سليمان|Slimane", "حمو|Hammou", "عبو|Abbou", "داود|Daoud", "يحيى|Yahya", "قاسم|Kacem",
               "صالح|Salah", "زيان|Zayane", "شريف|Cherif", "منصور|Mansour", "مسعود|Messaoud",
               "عزوز|Azzouz", "ناصر|Nasser", "جلول|Jelloul", "حدو|Haddou", "باها|Baha", "علا|Alla")

# Communes: (Latin, Arabic) pairs with the same name key.
_COMMUNES = (
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
_COMMUNE_PREFIXES = (("Sidi", "سيدي"), ("Ouled", "أولاد"), ("Ait", "أيت"), ("Beni", "بني"), ("Ain", "عين"),
                     ("Had", "حد"), ("Sebt", "سبت"), ("Jemaa", "جمعة"))
RECORDS_PER_COMMUNE = 2000


def communes(count: int) -> list[tuple[str, str]]:
    """`count` communes, (Latin, Arabic): the towns first, then rural communes, each name key different."""
    from majal.registry.names import name_key

    found = list(_COMMUNES)
    keys = {name_key(latin) for latin, _ in found}
    for prefix_latin, prefix_arabic in _COMMUNE_PREFIXES:
        for root_arabic, root_latin in _roots():
            latin, arabic = f"{prefix_latin} {root_latin}", f"{prefix_arabic} {root_arabic}"
            key = name_key(latin)
            if key == name_key(arabic) and key not in keys:
                keys.add(key)
                found.append((latin, arabic))
    return found[:max(1, count)]


_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_ARABIC_CONFUSIONS = (("ة", "ه"), ("ى", "ي"), ("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ؤ", "و"), ("ئ", "ي"))


@dataclass(frozen=True)
class _Name:
    arabic: tuple[str, ...]
    latin: tuple[str, ...]


def _table(text: str) -> tuple[list[_Name], list[float]]:
    names, weights = [], []
    for line in text.strip().splitlines():
        arabic, latin, weight = line.split("|")
        names.append(_Name(tuple(arabic.split(";")), tuple(latin.split(","))))
        weights.append(float(weight))
    return names, weights


def _roots() -> list[tuple[str, str]]:
    roots: list[tuple[str, str]] = []
    for base in _BUILT_FROM:
        arabic, latin = base.split("|")
        roots.append((arabic, latin))
    for name in _table(_MALE)[0]:
        arabic = name.arabic[0]
        if " " not in arabic and not arabic.startswith("ال") and " " not in name.latin[0]:
            roots.append((arabic, name.latin[0]))
    return list(dict.fromkeys(roots))


def _family_table() -> tuple[list[_Name], list[float]]:
    """About 200 common family names, then a long tail built the Moroccan way: Ben-, Bou-, Ait + a name, a nisba
    (El Berkani, Ahmadi), a given name as family name.  The tail keeps namesakes as rare as they are in life."""
    from majal.registry.names import name_key

    names, weights = _table(_FAMILY)
    weights = [weight / 2 for weight in weights]
    seen = {name_key(name.latin[0]) for name in names}
    built: list[_Name] = []
    for arabic, latin in _roots():
        lower = latin.lower()
        built.append(_Name(("بن" + arabic, "بن " + arabic), ("Ben" + lower, "Ben " + latin)))
        built.append(_Name(("أيت " + arabic, "ايت " + arabic), ("Ait " + latin, "Aït " + latin)))
        if lower[0] not in "aeiou":
            built.append(_Name(("بو" + arabic,), ("Bou" + lower,)))
        if lower[-1] not in "aeiouy":
            stem = arabic[:-1] if arabic[-1] in "ىاة" else arabic
            built.append(_Name(("ال" + stem + "ي",), (latin + "i", "El " + latin + "i")))
        built.append(_Name((arabic,), (latin,)))
    for latin, arabic in _COMMUNES:
        if " " in latin:
            continue
        stem_latin = latin[:-1] if latin[-1] in "ae" else latin
        stem_arabic = arabic[2:] if arabic.startswith("ال") else arabic
        stem_arabic = stem_arabic[:-1] if stem_arabic[-1] in "ةا" else stem_arabic
        built.append(_Name(("ال" + stem_arabic + "ي",), (stem_latin + "i", "El " + stem_latin + "i")))
    for name in built:
        keys = {name_key(text) for text in (*name.arabic, *name.latin)}
        if len(keys) == 1 and not keys & seen:
            seen |= keys
            names.append(name)
            weights.append(4.0)
    return names, weights


def _spelling(name: _Name, rng: random.Random, arabic: bool) -> str:
    if arabic:
        text = name.arabic[0] if len(name.arabic) == 1 or rng.random() < 0.6 else rng.choice(name.arabic[1:])
        if rng.random() < 0.25:  # typed without hamza, ta marbuta as ha: a variant, not an error
            for right, typed in _ARABIC_CONFUSIONS:
                if right in text and rng.random() < 0.6:
                    text = text.replace(right, typed)
        return text
    latin = name.latin
    text = latin[0] if len(latin) == 1 or rng.random() < 0.5 else rng.choice(latin)
    if rng.random() < 0.08:
        text = text.upper()
    return text


def _typo(text: str, rng: random.Random) -> str:
    letters = _ARABIC_LETTERS if any("\u0600" <= ch <= "\u06ff" for ch in text) else _LATIN_LETTERS
    if len(text) < 3:
        return text
    position = rng.randrange(1, len(text))  # the first letter is rarely mistyped
    kind = rng.random()
    if kind < 0.3:
        return text[:position] + rng.choice(letters) + text[position + 1:]
    if kind < 0.55:
        return text[:position] + text[position + 1:]
    if kind < 0.75:
        return text[:position] + rng.choice(letters) + text[position:]
    if kind < 0.9 and position < len(text) - 1:
        return text[:position] + text[position + 1] + text[position] + text[position + 2:]
    return text[:position] + text[position] + text[position:]  # a doubled letter


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_error(true: date, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3 and true.day <= 12 and true.day != true.month:
        return _valid(true.year, true.day, true.month) or true.isoformat()
    if kind < 0.55:
        return date(true.year, 1, 1).isoformat()  # only the year was known
    if kind < 0.75:
        return _valid(true.year + rng.choice((-1, 1)), true.month, true.day) or true.isoformat()
    text = true.isoformat()
    for _ in range(5):
        position = rng.choice((3, 6, 8, 9))
        candidate = text[:position] + str(rng.randrange(10)) + text[position + 1:]
        if candidate != text and _valid(int(candidate[:4]), int(candidate[5:7]), int(candidate[8:])):
            return candidate
    return text


def _phone(number: str, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.6:
        return "0" + number
    if kind < 0.8:
        return "+212 " + number[0] + " " + " ".join(number[i:i + 2] for i in range(1, 9, 2))
    if kind < 0.9:
        return "212" + number
    return "0" + number[0] + "-" + number[1:3] + "-" + number[3:5] + "-" + number[5:7] + "-" + number[7:]


@dataclass
class _Person:
    first: _Name
    last: _Name
    sex: str
    birth: date
    commune: int
    household: int
    idcs: str | None
    cnie: str | None
    phone: str | None


def _people(count: int, rng: random.Random, places: int) -> list[_Person]:
    male, male_w = _table(_MALE)
    female, female_w = _table(_FEMALE)
    family, family_w = _family_table()
    commune_w = [1.0 / (rank + 5) for rank in range(places)]
    today = date(2025, 1, 1)
    people: list[_Person] = []
    used_idcs: set[str] = set()
    used_cnie: set[str] = set()
    household = 0

    def born(age: int) -> date:
        day = today - timedelta(days=age * 365 + rng.randrange(365))
        if day.year < 1965 and rng.random() < 0.3:
            return date(day.year, 1, 1)  # older civil-status records often hold the year only
        return day

    def identifiers(age: int) -> tuple[str | None, str | None]:
        idcs = cnie = None
        if rng.random() < 0.6:
            while idcs is None or idcs in used_idcs:
                idcs = str(rng.randrange(10**9, 10**10))
            used_idcs.add(idcs)
        if age >= 18 and rng.random() < 0.5:
            while cnie is None or cnie in used_cnie:
                cnie = rng.choice("ABCDEFGHIJKLMNPQRSTUVWXYZ") + rng.choice(("", "A", "B", "E", "J")) + str(
                    rng.randrange(10**5, 10**6))
            used_cnie.add(cnie)
        return idcs, cnie

    def phone() -> str:
        return rng.choice("67") + str(rng.randrange(10**7, 10**8))

    while len(people) < count:
        household += 1
        commune = rng.choices(range(places), commune_w)[0]
        head_sex = "M" if rng.random() < 0.75 else "F"
        head_age = rng.randrange(22, 85)
        surname = rng.choices(family, family_w)[0]
        home_phone = phone() if rng.random() < 0.5 else None
        members: list[tuple[str, int, _Name, str | None]] = [(head_sex, head_age, surname, home_phone)]
        if rng.random() < 0.75:
            spouse_age = max(18, head_age + rng.randrange(-12, 6) * (1 if head_sex == "M" else -1))
            spouse_name = rng.choices(family, family_w)[0]
            members.append(("F" if head_sex == "M" else "M", spouse_age, spouse_name,
                             phone() if rng.random() < 0.4 else home_phone))
        mother_age = min(age for sex, age, _, _ in members) if len(members) > 1 else head_age
        children = rng.choice((0, 0, 1, 2, 2, 3, 3, 4, 5)) if mother_age > 20 else 0
        child_surname = surname if head_sex == "M" or len(members) == 1 else members[1][2]
        for _ in range(children):
            child_age = rng.randrange(0, max(1, min(mother_age - 18, 40)))
            members.append(("M" if rng.random() < 0.5 else "F", child_age, child_surname,
                            phone() if child_age > 16 and rng.random() < 0.5 else None))
        given_keys: set[tuple[str, str]] = set()
        for sex, age, last, tel in members:
            names, weights = (male, male_w) if sex == "M" else (female, female_w)
            first = rng.choices(names, weights)[0]
            while (sex, first.latin[0]) in given_keys:  # parents do not give two children the same name
                first = rng.choices(names, weights)[0]
            given_keys.add((sex, first.latin[0]))
            idcs, cnie = identifiers(age)
            people.append(_Person(first, last, sex, born(age), commune, household, idcs, cnie, tel))
    return people[:count]


def _records_per_person(rng: random.Random) -> int:
    draw = rng.random()
    return 1 if draw < 0.55 else 2 if draw < 0.8 else 3 if draw < 0.92 else 4 if draw < 0.97 else 5


def synthesize(n: int, seed: int = 0) -> pa.Table:
    """`n` person records with a `person_id` truth column: records with the same person_id are the same person."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed; nothing secret
    places = communes(max(20, n // RECORDS_PER_COMMUNE))  # a list this long spans this many communes
    people = _people(max(1, round(n / 1.76)) + 10, rng, len(places))
    columns: dict[str, list[str | None]] = {name: [] for name in (*COLUMNS, "person_id")}
    total = 0
    for index, person in enumerate(people):
        if total >= n:
            break
        copies = min(_records_per_person(rng), n - total)
        total += copies
        for _ in range(copies):
            arabic = rng.random() < RATES["arabic"]
            first = _spelling(person.first, rng, arabic)
            last = _spelling(person.last, rng, arabic)
            if rng.random() < RATES["typo"]:
                first = _typo(first, rng)
            if rng.random() < RATES["typo"]:
                last = _typo(last, rng)
            if rng.random() < RATES["swap"]:
                first, last = last, first
            draw = rng.random()
            birth = (
                "" if draw < RATES["date_missing"]
                else _date_error(person.birth, rng) if draw < RATES["date_missing"] + RATES["date_error"]
                else person.birth.isoformat()
            )
            sex = "" if rng.random() < RATES["sex_missing"] else person.sex
            commune_draw = rng.random()
            moved = commune_draw < RATES["commune_other"]
            commune_index = rng.randrange(len(places)) if moved else person.commune
            latin_commune, arabic_commune = places[commune_index]
            missing = commune_draw > 1 - RATES["commune_missing"]
            commune = "" if missing else (arabic_commune if arabic else latin_commune)
            identifier = ""
            if person.idcs and rng.random() < 0.25:
                identifier = person.idcs
            elif person.cnie and rng.random() < 0.2:
                identifier = person.cnie
            phone = _phone(person.phone, rng) if person.phone and rng.random() < 0.4 else ""
            household = person.household if rng.random() > 0.01 else rng.randrange(1, len(people))
            columns["first_name"].append(first)
            columns["last_name"].append(last)
            columns["birth_date"].append(birth)
            columns["sex"].append(sex)
            columns["commune"].append(commune)
            columns["national_id"].append(identifier)
            columns["phone"].append(phone)
            columns["household_id"].append(f"H{household:07d}")
            columns["person_id"].append(f"T{index + 1:07d}")
    order = list(range(len(columns["first_name"])))
    rng.shuffle(order)
    columns = {name: [values[i] for i in order] for name, values in columns.items() if name != "id"}
    ids: list[str | None] = [f"P{i + 1:07d}" for i in range(len(order))]
    return pa.table({"id": ids, **{name: columns[name] for name in COLUMNS[1:]}, "person_id": columns["person_id"]})


# --- names for registered persons, and the ways lists write them (the registry's demo) -----------------------------

Name = _Name


def name_members(sexes: Sequence[str], households: Sequence[int], seed: int) -> list[tuple[Name, Name]]:
    """A given and a family name for each registered person, from the same frequency tables: one family name per
    household (the first person's), given names by sex, never twice in one household."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed; nothing secret
    male, male_w = _table(_MALE)
    female, female_w = _table(_FEMALE)
    family, family_w = _family_table()
    names: list[tuple[Name, Name]] = []
    surname: dict[int, Name] = {}
    given: dict[int, set[str]] = {}
    for sex, household in zip(sexes, households, strict=True):
        last = surname.setdefault(household, rng.choices(family, family_w)[0])
        table, weights = (male, male_w) if sex == "M" else (female, female_w)
        taken = given.setdefault(household, set())
        first = rng.choices(table, weights)[0]
        for _ in range(20):
            if first.latin[0] not in taken:
                break
            first = rng.choices(table, weights)[0]
        taken.add(first.latin[0])
        names.append((first, last))
    return names


def spelled(name: Name, rng: random.Random, arabic: bool, canonical: bool = False) -> str:
    """The name in Arabic script or one of its Latin spellings; `canonical`: the first (the civil-status one)."""
    if canonical:
        return name.arabic[0] if arabic else name.latin[0]
    return _spelling(name, rng, arabic)


def misspelled(text: str, rng: random.Random) -> str:
    return _typo(text, rng)


def wrong_date(true: date, rng: random.Random) -> str:
    """One of the usual date errors: day and month swapped, the year only, a year off, a digit mistyped."""
    return _date_error(true, rng)

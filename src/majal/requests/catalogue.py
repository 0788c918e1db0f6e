"""The commune's service catalogue: what citizens can report, to which department, and how fast it is due.

Plain data, loaded into the database by the demo and by `majal requests seed-catalogue`; a commune edits its own."""

from __future__ import annotations

from dataclasses import dataclass, field

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class Names:
    ar: str
    fr: str
    en: str


@dataclass(frozen=True)
class Choice:
    key: str
    names: Names


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: Names
    required: bool = False
    values: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class ServiceDefinition:
    code: str
    department: str
    names: Names
    description: Names
    sla_hours: int
    keywords: str = ""
    attributes: tuple[Attribute, ...] = field(default_factory=tuple)


YES_NO = (Choice("yes", Names("نعم", "Oui", "Yes")), Choice("no", Names("لا", "Non", "No")))

CATALOGUE: tuple[ServiceDefinition, ...] = (
    ServiceDefinition(
        "LIGHT_OUT", "lighting", Names("مصباح منطفئ", "Lampe éteinte", "Lamp out"),
        Names("مصباح إنارة عمومية لا يشتغل ليلًا.", "Un lampadaire ne s’allume pas la nuit.",
              "A streetlight does not light at night."),
        72, "lamp, streetlight, dark",
        (
            Attribute("pole_number", "string", Names("رقم العمود (إن وُجد)", "Numéro du poteau (s’il est visible)",
                                                     "Pole number (if visible)")),
            Attribute("extent", "singlevaluelist", Names("كم مصباحًا منطفئًا؟", "Combien de lampes sont éteintes ?",
                                                         "How many lamps are out?"), True,
                      (Choice("one", Names("مصباح واحد", "Une seule", "One")),
                       Choice("several", Names("عدة مصابيح", "Plusieurs", "Several")),
                       Choice("street", Names("الشارع كله", "Toute la rue", "The whole street")))),
        ),
    ),
    ServiceDefinition(
        "LIGHT_DAY", "lighting", Names("مصباح مشتعل نهارًا", "Lampe allumée le jour", "Lamp lit in daytime"),
        Names("مصباح يبقى مشتعلًا في النهار.", "Un lampadaire reste allumé en journée.",
              "A streetlight stays on during the day."),
        48, "lamp, daytime, energy",
        (Attribute("noticed_at", "datetime", Names("متى لاحظت ذلك؟", "Depuis quand ?", "Since when?")),),
    ),
    ServiceDefinition(
        "POLE_DAMAGED", "lighting", Names("عمود إنارة متضرر", "Poteau endommagé", "Damaged pole"),
        Names("عمود مائل أو مكسور أو بأسلاك مكشوفة.", "Poteau penché, cassé ou avec des fils dénudés.",
              "A pole leaning, broken or with exposed wires."),
        24, "pole, wires, danger",
        (
            Attribute("danger", "singlevaluelist", Names("هل يشكل خطرًا فوريًا؟", "Y a-t-il un danger immédiat ?",
                                                         "Is there an immediate danger?"), True, YES_NO),
            Attribute("damage", "multivaluelist", Names("ما الضرر؟", "Quels dégâts ?", "What is damaged?"), False,
                      (Choice("leaning", Names("مائل", "Penché", "Leaning")),
                       Choice("wires", Names("أسلاك مكشوفة", "Fils dénudés", "Exposed wires")),
                       Choice("door", Names("باب العمود مفتوح", "Trappe ouverte", "Open access door")),
                       Choice("down", Names("ساقط", "À terre", "Knocked down")))),
        ),
    ),
    ServiceDefinition(
        "BIN_FULL", "cleanliness", Names("حاوية ممتلئة", "Conteneur débordant", "Overflowing container"),
        Names("حاوية نفايات ممتلئة أو تفيض.", "Un conteneur à déchets est plein ou déborde.",
              "A waste container is full or overflowing."),
        24, "bin, container, waste",
        (
            Attribute("container_number", "string", Names("رقم الحاوية (إن وُجد)", "Numéro du conteneur (s’il est "
                                                          "visible)", "Container number (if visible)")),
            Attribute("bags_around", "number", Names("عدد الأكياس حول الحاوية", "Nombre de sacs autour",
                                                     "Bags lying around")),
        ),
    ),
    ServiceDefinition(
        "DUMPING", "cleanliness", Names("رمي عشوائي للنفايات", "Dépôt sauvage", "Illegal dumping"),
        Names("نفايات أو أنقاض مرمية في مكان غير مخصص.", "Déchets ou gravats déposés hors des points prévus.",
              "Waste or rubble dumped where it should not be."),
        72, "dumping, rubble, waste",
        (
            Attribute("waste", "multivaluelist", Names("نوع النفايات", "Types de déchets", "Kinds of waste"), True,
                      (Choice("household", Names("منزلية", "Ménagers", "Household")),
                       Choice("rubble", Names("أنقاض", "Gravats", "Rubble")),
                       Choice("green", Names("نفايات خضراء", "Déchets verts", "Green waste")),
                       Choice("bulky", Names("أثاث ومتلاشيات", "Encombrants", "Bulky items")),
                       Choice("hazardous", Names("خطرة", "Dangereux", "Hazardous")))),
            Attribute("volume_m3", "number", Names("الحجم التقريبي (م³)", "Volume approximatif (m³)",
                                                   "Approximate volume (m³)")),
        ),
    ),
    ServiceDefinition(
        "DEAD_ANIMAL", "cleanliness", Names("حيوان نافق", "Animal mort", "Dead animal"),
        Names("جثة حيوان على الطريق العام.", "Un animal mort sur la voie publique.",
              "A dead animal on a public road."),
        12, "animal, carcass",
        (Attribute("animal", "singlevaluelist", Names("أي حيوان؟", "Quel animal ?", "Which animal?"), True,
                   (Choice("dog", Names("كلب", "Chien", "Dog")), Choice("cat", Names("قط", "Chat", "Cat")),
                    Choice("equine", Names("حصان أو حمار", "Cheval ou âne", "Horse or donkey")),
                    Choice("other", Names("آخر", "Autre", "Other")))),),
    ),
    ServiceDefinition(
        "NOT_SWEPT", "cleanliness", Names("شارع غير منظف", "Rue non balayée", "Street not swept"),
        Names("شارع لم يُكنس منذ مدة.", "Une rue n’a pas été balayée depuis longtemps.",
              "A street has not been swept for a long time."),
        48, "sweeping, street",
    ),
    ServiceDefinition(
        "STRAY_DOGS", "health", Names("كلاب ضالة", "Chiens errants", "Stray dogs"),
        Names("كلاب ضالة في الحي.", "Des chiens errants dans le quartier.", "Stray dogs in the neighbourhood."),
        48, "dogs, animals, rabies",
        (
            Attribute("count", "number", Names("كم عددها تقريبًا؟", "Combien environ ?", "About how many?")),
            Attribute("behaviour", "singlevaluelist", Names("سلوكها", "Comportement", "Behaviour"), True,
                      (Choice("calm", Names("هادئة", "Calmes", "Calm")),
                       Choice("aggressive", Names("عدوانية", "Agressifs", "Aggressive")),
                       Choice("pack", Names("في قطيع", "En meute", "In a pack")))),
            Attribute("bite", "singlevaluelist", Names("هل عض أحدًا؟", "Quelqu’un a-t-il été mordu ?",
                                                       "Has anyone been bitten?"), True, YES_NO),
        ),
    ),
    ServiceDefinition(
        "PESTS", "health", Names("قوارض أو حشرات", "Rongeurs ou insectes", "Rodents or insects"),
        Names("فئران أو بعوض أو صراصير في الفضاء العام.", "Rats, moustiques ou cafards dans l’espace public.",
              "Rats, mosquitoes or cockroaches in a public space."),
        72, "rats, mosquitoes, vector",
        (Attribute("pest", "singlevaluelist", Names("ما النوع؟", "Lesquels ?", "Which?"), True,
                   (Choice("rats", Names("فئران", "Rats", "Rats")),
                    Choice("mosquitoes", Names("بعوض", "Moustiques", "Mosquitoes")),
                    Choice("cockroaches", Names("صراصير", "Cafards", "Cockroaches")),
                    Choice("other", Names("أخرى", "Autres", "Other")))),),
    ),
    ServiceDefinition(
        "UNSANITARY", "health", Names("محل غير صحي", "Établissement insalubre", "Unsanitary establishment"),
        Names("محل يعرض الأغذية أو يستقبل العموم في ظروف غير صحية.",
              "Un commerce alimentaire ou un lieu ouvert au public dans un état insalubre.",
              "A food business or public place in an unsanitary state."),
        120, "hygiene, food, restaurant",
        (
            Attribute("establishment", "string", Names("اسم المحل", "Nom de l’établissement",
                                                       "Name of the establishment"), True),
            Attribute("details", "text", Names("ماذا لاحظت؟", "Qu’avez-vous constaté ?", "What did you see?")),
        ),
    ),
    ServiceDefinition(
        "STOP_DAMAGED", "transport", Names("محطة حافلات متضررة", "Arrêt de bus endommagé", "Damaged bus stop"),
        Names("محطة حافلات متضررة أو غير صالحة.", "Un arrêt de bus abîmé ou inutilisable.",
              "A bus stop damaged or unusable."),
        72, "bus, stop, shelter",
        (
            Attribute("stop_code", "string", Names("رمز المحطة", "Code de l’arrêt", "Stop code")),
            Attribute("damage", "multivaluelist", Names("ما الضرر؟", "Quels dégâts ?", "What is damaged?"), True,
                      (Choice("shelter", Names("المظلة", "Abri", "Shelter")),
                       Choice("sign", Names("اللوحة", "Panneau", "Sign")),
                       Choice("bench", Names("المقعد", "Banc", "Bench")),
                       Choice("lighting", Names("الإنارة", "Éclairage", "Lighting")))),
        ),
    ),
    ServiceDefinition(
        "BUS_MISSED", "transport", Names("الحافلة لم تمر", "Le bus n’est pas passé", "Bus did not come"),
        Names("حافلة لم تمر في موعدها.", "Un bus n’est pas passé à l’heure prévue.",
              "A bus did not come at its scheduled time."),
        24, "bus, line, schedule",
        (
            Attribute("line", "string", Names("رقم الخط", "Numéro de ligne", "Line number"), True),
            Attribute("scheduled_at", "datetime", Names("الموعد المقرر", "Heure prévue", "Scheduled time"), True),
        ),
    ),
    ServiceDefinition(
        "POTHOLE", "roads", Names("حفرة في الطريق", "Nid-de-poule", "Pothole"),
        Names("حفرة في الطريق أو الرصيف.", "Un trou dans la chaussée ou le trottoir.",
              "A hole in the road or pavement."),
        168, "road, hole, pavement",
        (Attribute("size", "singlevaluelist", Names("حجمها", "Taille", "Size"), True,
                   (Choice("small", Names("صغيرة", "Petit", "Small")),
                    Choice("medium", Names("متوسطة", "Moyen", "Medium")),
                    Choice("large", Names("كبيرة", "Grand", "Large")))),),
    ),
    ServiceDefinition(
        "SIGN_MISSING", "roads", Names("علامة مرور مفقودة", "Panneau manquant", "Missing sign"),
        Names("علامة مرور مفقودة أو غير مقروءة.", "Un panneau de signalisation manquant ou illisible.",
              "A traffic sign missing or unreadable."),
        72, "sign, traffic",
        (Attribute("sign", "singlevaluelist", Names("أي علامة؟", "Quel panneau ?", "Which sign?"), True,
                   (Choice("stop", Names("قف", "Stop", "Stop")),
                    Choice("give_way", Names("أفضلية المرور", "Cédez le passage", "Give way")),
                    Choice("speed", Names("تحديد السرعة", "Limitation de vitesse", "Speed limit")),
                    Choice("street_name", Names("اسم الشارع", "Nom de rue", "Street name")),
                    Choice("other", Names("أخرى", "Autre", "Other")))),),
    ),
)

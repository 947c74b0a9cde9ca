//! The workload shared by the storage benchmarks: the encrypted vault, plain SQLite and SQLCipher
//! measure the same cases, inserted, read and listed in the same order, so that their timings can
//! be compared as ratios.
//!
//! Everything is derived from the case number `i` with a small SplitMix64 generator: no
//! randomness, no clock, no dependency. The same `i` gives the same bytes on every machine and in
//! every run, so two benchmarks built from different crates (and different dependency graphs)
//! still store exactly the same data.
//!
//! A case record is a minified JSON document of 4.5–5.5 KB, shaped like what a field worker's
//! device keeps about a person: a pseudonymous code, a status, dates, a screening result over the
//! six ILO dimensions with indicator ids (`CD.debt_bondage`, …), needs, a referral and a few notes
//! of free text in French, Spanish or English. The notes are built from phrase banks, so a record
//! compresses roughly like real text (neither all zeros nor random bytes).

/// Number of cases inserted by the bulk-insert phase.
pub const CASES: u64 = 5000;

/// Number of point reads (by id) in the read phase.
pub const POINT_READS: u64 = 1000;

/// Bounds of a record's size in bytes (the tests check every case of the workload against them).
pub const MIN_CASE_BYTES: usize = 4500;
/// See [`MIN_CASE_BYTES`].
pub const MAX_CASE_BYTES: usize = 5500;

// Distinct streams, so that ids, records and the read order are not correlated.
const SEED_ID_HI: u64 = 0x5245_4c41_4953_0001;
const SEED_ID_LO: u64 = 0x5245_4c41_4953_0002;
const SEED_CASE: u64 = 0x5245_4c41_4953_0003;
const SEED_READS: u64 = 0x5245_4c41_4953_0004;

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// The SplitMix64 finaliser: a bijection on `u64`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// SplitMix64.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(mix(seed))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix(self.0)
    }

    /// Uniform in `0..n` (`n > 0`), by multiply-shift.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy, const N: usize>(&mut self, items: &[T; N]) -> T {
        items[self.below(N as u64) as usize]
    }
}

/// The id of case `i`: 32 lowercase hex characters. Distinct for distinct `i` (the first half is
/// a bijection of `i`).
pub fn case_id(i: u64) -> String {
    format!("{:016x}{:016x}", mix(i ^ SEED_ID_HI), mix(i ^ SEED_ID_LO))
}

/// The case numbers to read, in order, for `n` point reads: a deterministic shuffle of
/// `0..CASES` (Fisher–Yates), so the reads hit the table in no particular order. Distinct while
/// `n <= CASES`; beyond that the same permutation repeats.
pub fn read_order(n: u64) -> Vec<u64> {
    let mut perm: Vec<u64> = (0..CASES).collect();
    let mut rng = Rng::new(SEED_READS);
    for k in (1..perm.len()).rev() {
        let j = rng.below(k as u64 + 1) as usize;
        perm.swap(k, j);
    }
    perm.iter().copied().cycle().take(n as usize).collect()
}

/// The record of case `i`: minified JSON, UTF-8, between [`MIN_CASE_BYTES`] and
/// [`MAX_CASE_BYTES`] bytes.
pub fn case_json(i: u64) -> String {
    let mut rng = Rng::new(i ^ SEED_CASE);
    let lang = rng.pick(&[Lang::Fr, Lang::Fr, Lang::Es, Lang::En]);
    // The notes fill the record up to this size (give or take a sentence).
    let target = rng.range(4750, 5250) as usize;

    let created = 19_723 * 86_400 + rng.below(540 * 86_400); // from 2024-01-01
    let updated = created + rng.range(3_600, 60 * 86_400);
    let site = rng.pick(&SITES);
    let worker = rng.range(1, 24);

    let mut w = Json::new();
    w.open_obj();
    w.key("schema");
    w.num(1);
    w.key("id");
    w.str(&case_id(i));
    w.key("code");
    w.str(&pseudonym(site.0, &mut rng));
    w.key("status");
    w.str(rng.pick(&["open", "open", "referred", "follow_up", "closed"]));
    w.key("created");
    w.str(&timestamp(created));
    w.key("updated");
    w.str(&timestamp(updated));
    w.key("language");
    w.str(lang.id());
    w.key("site");
    w.str(site.1);
    w.key("worker");
    w.str(&format!("w-{worker:02}"));

    let child = rng.chance(20);
    w.key("subject");
    w.open_obj();
    w.key("age_group");
    w.str(if child { "child" } else { "adult" });
    w.key("age");
    w.num(if child {
        rng.range(9, 17)
    } else {
        rng.range(18, 58)
    });
    w.key("sex");
    w.str(rng.pick(&["f", "f", "m", "m", "x"]));
    w.key("nationality");
    w.str(rng.pick(&["CD", "CD", "AO", "CG", "DJ", "ET", "SO", "YE", "CF"]));
    w.key("sector");
    w.str(rng.pick(&[
        "domestic_work",
        "agriculture",
        "mining",
        "construction",
        "fishing",
        "street_vending",
        "hospitality",
    ]));
    w.close_obj();

    w.key("consent");
    w.open_obj();
    for purpose in ["interview", "data_use", "referral", "handover"] {
        w.key(purpose);
        w.bool(purpose != "handover" || rng.chance(70));
    }
    w.key("recorded");
    w.str(&timestamp(created + 300));
    w.close_obj();

    let (urgent, flags) = screening(&mut w, &mut rng, child, created);
    needs(&mut w, &mut rng, urgent);
    referral(&mut w, &mut rng, site.1, created);

    w.key("flags");
    w.open_arr();
    for f in flags {
        w.str(f);
    }
    w.close_arr();

    // Notes: free text until the record reaches its target size.
    w.key("notes");
    w.open_arr();
    let tail = 4; // `]}` closing the notes and the record, with room to spare
    let count = rng.range(2, 5);
    let mut at = created + 600;
    for n in 0..count {
        let left = target.saturating_sub(w.len() + tail);
        let budget = left / (count - n) as usize;
        let note_lang = if rng.chance(85) {
            lang
        } else {
            rng.pick(&[Lang::Fr, Lang::Es, Lang::En])
        };
        let mut text = String::new();
        loop {
            let sentence = sentence(&mut rng, note_lang);
            if !text.is_empty() && text.len() + 1 + sentence.len() > budget.saturating_sub(90) {
                break;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&sentence);
        }
        w.open_obj();
        w.key("at");
        w.str(&timestamp(at));
        w.key("author");
        w.str(&format!("w-{worker:02}"));
        w.key("kind");
        w.str(rng.pick(&["interview", "follow_up", "call", "visit", "referral"]));
        w.key("lang");
        w.str(note_lang.id());
        w.key("text");
        w.str(&text);
        w.close_obj();
        at += rng.range(3_600, 10 * 86_400);
    }
    w.close_arr();
    w.close_obj();
    w.finish()
}

/// The screening result: outcome, the six dimensions and their indicators. Returns whether it is
/// urgent and the red flags raised.
fn screening(w: &mut Json, rng: &mut Rng, child: bool, created: u64) -> (bool, Vec<&'static str>) {
    let mut positive = [false; 6];
    w.key("screening");
    w.open_obj();
    w.key("form");
    w.str(if rng.chance(80) {
        "interview"
    } else {
        "quick_check"
    });
    w.key("completed");
    w.str(&timestamp(created + rng.range(900, 5_400)));
    w.key("catalogue");
    w.str("ilo-ec-2009-labour@1");
    w.key("rules");
    w.str("ilo-ec-2009-rules@1");
    w.key("dimensions");
    w.open_obj();
    for (d, (dim, indicators)) in DIMENSIONS.iter().enumerate() {
        let found = match rng.below(10) {
            0..=3 => 0,
            4..=6 => 1,
            7 | 8 => 2,
            _ => 3,
        };
        let mut counts = [0u64; 3];
        let mut chosen: Vec<(&str, &str)> = Vec::new();
        for _ in 0..found {
            let (id, strength) = indicators[rng.below(indicators.len() as u64) as usize];
            if !chosen.iter().any(|(c, _)| *c == id) {
                chosen.push((id, strength));
            }
        }
        for (_, s) in &chosen {
            match *s {
                "strong" => counts[0] += 1,
                "medium" => counts[1] += 1,
                _ => counts[2] += 1,
            }
        }
        let is_positive = counts[0] >= 1 || counts[1] >= 2;
        positive[d] = is_positive;
        w.key(dim);
        w.open_obj();
        w.key("positive");
        w.bool(is_positive);
        w.key("counts");
        w.open_obj();
        w.key("strong");
        w.num(counts[0]);
        w.key("medium");
        w.num(counts[1]);
        w.key("weak");
        w.num(counts[2]);
        w.close_obj();
        w.key("indicators");
        w.open_arr();
        for (id, strength) in chosen {
            w.open_obj();
            w.key("id");
            w.str(&format!("{dim}.{id}"));
            w.key("strength");
            w.str(strength);
            w.key("evidence");
            w.open_arr();
            for _ in 0..rng.range(1, 2) {
                w.str(&format!(
                    "q_{}_{}",
                    dim.to_ascii_lowercase(),
                    rng.pick(&QUESTION_STEMS)
                ));
            }
            w.close_arr();
            w.close_obj();
        }
        w.close_arr();
        w.close_obj();
    }
    w.close_obj();

    // DR, CR, VR, EX, CD, VD: recruitment is any of the first three, coercion/vulnerability at
    // destination any of the last two (the adult rule); a child needs no coercion.
    let recruitment = positive[0] || positive[1] || positive[2];
    let exploitation = positive[3];
    let destination = positive[4] || positive[5];
    let met = recruitment && exploitation && (child || destination);
    let outcome = if met {
        "possible_trafficking"
    } else if exploitation {
        "exploitation"
    } else if positive.iter().any(|p| *p) {
        "indicators_present"
    } else {
        "no_indicators"
    };
    w.key("combination");
    w.open_obj();
    w.key("met");
    w.bool(met);
    w.key("missing");
    w.open_arr();
    if !recruitment {
        w.open_arr();
        for d in ["DR", "CR", "VR"] {
            w.str(d);
        }
        w.close_arr();
    }
    if !exploitation {
        w.open_arr();
        w.str("EX");
        w.close_arr();
    }
    if !child && !destination {
        w.open_arr();
        w.str("CD");
        w.str("VD");
        w.close_arr();
    }
    w.close_arr();
    w.close_obj();
    w.key("outcome");
    w.str(outcome);

    let mut flags = Vec::new();
    if rng.chance(if met { 40 } else { 8 }) {
        flags.push(rng.pick(&["immediate_danger", "under_control", "injury"]));
    }
    if child && rng.chance(30) {
        flags.push("unaccompanied_child");
    }
    let urgent = !flags.is_empty();
    w.key("urgent");
    w.bool(urgent);
    w.key("next_steps");
    w.open_arr();
    for step in ["explain_result", "offer_referral", "plan_follow_up"] {
        if step != "plan_follow_up" || rng.chance(60) {
            w.str(step);
        }
    }
    if urgent {
        w.str("call_emergency_contact");
    }
    w.close_arr();
    w.close_obj();
    (urgent, flags)
}

fn needs(w: &mut Json, rng: &mut Rng, urgent: bool) {
    const NEEDS: [&str; 9] = [
        "safety",
        "medical",
        "shelter",
        "psychosocial",
        "legal",
        "documents",
        "family_contact",
        "interpretation",
        "basic_needs",
    ];
    let count = rng.range(1, 4);
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..count {
        let n = rng.pick(&NEEDS);
        if !chosen.contains(&n) {
            chosen.push(n);
        }
    }
    w.key("needs");
    w.open_arr();
    for (k, id) in chosen.into_iter().enumerate() {
        w.open_obj();
        w.key("id");
        w.str(id);
        w.key("priority");
        w.str(if urgent && k == 0 {
            "emergency"
        } else {
            rng.pick(&["urgent", "normal", "normal"])
        });
        w.key("evidence");
        w.open_arr();
        w.str(&format!("q_needs_{}", rng.pick(&QUESTION_STEMS)));
        w.close_arr();
        w.close_obj();
    }
    w.close_arr();
}

fn referral(w: &mut Json, rng: &mut Rng, site: &str, created: u64) {
    w.key("referral");
    if rng.chance(15) {
        w.null();
        return;
    }
    let sent = created + rng.range(3_600, 5 * 86_400);
    let (category, organisation) = rng.pick(&ORGANISATIONS);
    w.open_obj();
    w.key("service");
    w.str(&format!(
        "svc-{}-{:03}",
        &site[..2].to_ascii_lowercase(),
        rng.range(1, 60)
    ));
    w.key("organisation");
    w.str(organisation);
    w.key("category");
    w.str(category);
    w.key("status");
    w.str(rng.pick(&["sent", "accepted", "accepted", "declined", "completed"]));
    w.key("sent");
    w.str(&timestamp(sent));
    w.key("channel");
    w.str(rng.pick(&["phone", "in_person", "handover_qr"]));
    w.key("consent_given");
    w.bool(true);
    w.close_obj();
}

/// A pseudonymous case code such as `KWL-7F3K-2QX9`: a site prefix and Crockford base32.
fn pseudonym(prefix: &str, rng: &mut Rng) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut code = String::from(prefix);
    let mut bits = rng.next_u64();
    for k in 0..8 {
        if k % 4 == 0 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[(bits & 31) as usize]));
        bits >>= 5;
    }
    code
}

/// `YYYY-MM-DDTHH:MM:SSZ` from seconds since the Unix epoch (proleptic Gregorian, UTC).
fn timestamp(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days, for days >= 0.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Fr,
    Es,
    En,
}

impl Lang {
    fn id(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::En => "en",
        }
    }
}

/// One sentence of a note: subject, what happened, a detail, sometimes when.
fn sentence(rng: &mut Rng, lang: Lang) -> String {
    let bank = match lang {
        Lang::Fr => &FR,
        Lang::Es => &ES,
        Lang::En => &EN,
    };
    let mut s = String::new();
    s.push_str(rng.pick(&bank.subjects));
    s.push(' ');
    s.push_str(rng.pick(&bank.predicates));
    if rng.chance(70) {
        s.push(' ');
        s.push_str(rng.pick(&bank.details));
    }
    if rng.chance(45) {
        s.push(' ');
        s.push_str(rng.pick(&bank.times));
    }
    s.push('.');
    s
}

struct Bank {
    subjects: [&'static str; 8],
    predicates: [&'static str; 16],
    details: [&'static str; 14],
    times: [&'static str; 8],
}

const FR: Bank = Bank {
    subjects: [
        "La personne",
        "Elle",
        "Il",
        "Son employeur",
        "Le recruteur",
        "Sa cousine",
        "L'intermédiaire",
        "Le chef de chantier",
    ],
    predicates: [
        "dit avoir travaillé sept jours sur sept sans être payée",
        "a gardé son passeport et sa carte d'électeur",
        "explique qu'une dette de transport lui est réclamée chaque mois",
        "ne peut pas quitter la maison sans autorisation",
        "a promis un emploi de vendeuse à Kinshasa",
        "a menacé de prévenir la police si elle parlait",
        "raconte que le salaire promis n'a jamais été versé",
        "dort dans la cuisine avec deux autres filles",
        "a été frappé lorsqu'il a demandé à rentrer",
        "souhaite contacter sa famille au village",
        "ne connaît pas l'adresse exacte du lieu de travail",
        "reçoit des retenues sur salaire pour la nourriture",
        "accepte d'être orientée vers la maison d'accueil",
        "a peur des représailles contre ses enfants",
        "indique que les heures de travail dépassent quatorze heures par jour",
        "n'a pas pu aller à l'école depuis son arrivée",
    ],
    details: [
        "selon ses propres mots",
        "d'après la voisine qui l'accompagne",
        "malgré plusieurs demandes",
        "comme les autres travailleurs du site",
        "sans contrat écrit",
        "pendant toute la saison des pluies",
        "avec l'accord apparent de la famille",
        "dans une langue qu'elle comprend mal",
        "sous la surveillance d'un gardien",
        "alors qu'elle était malade",
        "pour rembourser les frais de voyage",
        "et l'entretien a dû être interrompu",
        "ce qui reste à vérifier",
        "et elle a demandé que cela reste confidentiel",
    ],
    times: [
        "depuis février",
        "la semaine dernière",
        "depuis son arrivée à Kikwit",
        "il y a trois mois",
        "hier soir",
        "depuis plus d'un an",
        "au début de la saison",
        "lors de la dernière visite",
    ],
};

const ES: Bank = Bank {
    subjects: [
        "La persona",
        "Ella",
        "Él",
        "Su empleador",
        "El reclutador",
        "Su prima",
        "El intermediario",
        "El capataz",
    ],
    predicates: [
        "dice haber trabajado siete días a la semana sin recibir pago",
        "se quedó con su pasaporte y su documento de identidad",
        "explica que le cobran cada mes una deuda por el viaje",
        "no puede salir de la casa sin permiso",
        "prometió un empleo de vendedora en la capital",
        "amenazó con avisar a la policía si hablaba",
        "cuenta que el salario prometido nunca fue pagado",
        "duerme en la cocina con otras dos chicas",
        "fue golpeado cuando pidió volver a casa",
        "quiere contactar a su familia en el pueblo",
        "no conoce la dirección exacta del lugar de trabajo",
        "sufre descuentos del salario por la comida",
        "acepta ser derivada al albergue",
        "tiene miedo de represalias contra sus hijos",
        "indica que las jornadas superan las catorce horas diarias",
        "no ha podido ir a la escuela desde su llegada",
    ],
    details: [
        "según sus propias palabras",
        "según la vecina que la acompaña",
        "a pesar de varias solicitudes",
        "como los demás trabajadores del sitio",
        "sin contrato escrito",
        "durante toda la temporada de lluvias",
        "con el aparente acuerdo de la familia",
        "en un idioma que entiende mal",
        "bajo la vigilancia de un guardia",
        "mientras estaba enferma",
        "para pagar los gastos del viaje",
        "y la entrevista tuvo que interrumpirse",
        "lo que queda por verificar",
        "y pidió que esto sea confidencial",
    ],
    times: [
        "desde febrero",
        "la semana pasada",
        "desde su llegada a la ciudad",
        "hace tres meses",
        "anoche",
        "desde hace más de un año",
        "al inicio de la temporada",
        "durante la última visita",
    ],
};

const EN: Bank = Bank {
    subjects: [
        "The person",
        "She",
        "He",
        "Her employer",
        "The recruiter",
        "Her cousin",
        "The broker",
        "The site foreman",
    ],
    predicates: [
        "says she worked seven days a week without pay",
        "kept her passport and voter card",
        "explains that a travel debt is claimed from her every month",
        "cannot leave the house without permission",
        "promised a job as a shop assistant in the capital",
        "threatened to call the police if she talked, saying \"you owe us\"",
        "reports that the promised wage was never paid",
        "sleeps in the kitchen with two other girls",
        "was beaten when he asked to go home",
        "wants to contact the family back in the village",
        "does not know the exact address of the workplace",
        "has deductions taken from the wage for food",
        "agrees to be referred to the shelter",
        "is afraid of reprisals against the children",
        "says the working day is longer than fourteen hours",
        "has not been to school since arriving",
    ],
    details: [
        "in her own words",
        "according to the neighbour who came with her",
        "despite several requests",
        "like the other workers on the site",
        "with no written contract",
        "for the whole rainy season",
        "with the family's apparent agreement",
        "in a language she barely understands",
        "under a guard's watch",
        "while she was ill",
        "to pay back the travel costs",
        "and the interview had to stop",
        "which still needs checking",
        "and asked that this stay confidential",
    ],
    times: [
        "since February",
        "last week",
        "since arriving in town",
        "three months ago",
        "last night",
        "for more than a year",
        "at the start of the season",
        "at the last visit",
    ],
};

/// (prefix of the pseudonymous code, site name).
const SITES: [(&str, &str); 6] = [
    ("KWL", "Kikwit"),
    ("BDD", "Bandundu"),
    ("IDF", "Idiofa"),
    ("GGU", "Gungu"),
    ("BLG", "Bulungu"),
    ("DJI", "Djibouti"),
];

/// (service category, organisation) — fictitious.
const ORGANISATIONS: [(&str, &str); 6] = [
    ("shelter", "Maison d'accueil Sainte-Claire (fictive)"),
    ("medical", "Centre de santé de référence Lukolela (fictif)"),
    ("legal", "Clinique juridique du Kwilu (fictive)"),
    ("psychosocial", "Écoute et Espoir asbl (fictive)"),
    (
        "documents",
        "Bureau de l'état civil, antenne mobile (fictif)",
    ),
    (
        "basic_needs",
        "Caritas paroissiale, point d'accueil (fictif)",
    ),
];

const QUESTION_STEMS: [&str; 12] = [
    "promised_job",
    "paid_as_promised",
    "documents_kept",
    "free_to_leave",
    "debt",
    "threats",
    "hours",
    "housing",
    "contact_family",
    "violence",
    "school",
    "travel",
];

/// Each ILO dimension with its indicator ids (without the dimension prefix) and strengths for an
/// adult, as in `core/data/ilo-indicators.json`.
const DIMENSIONS: [(&str, &[(&str, &str)]); 6] = [
    (
        "DR",
        &[
            ("nature_of_job", "strong"),
            ("conditions_of_work", "medium"),
            ("contract", "medium"),
            ("housing", "medium"),
            ("legal_documents", "medium"),
            ("travel", "medium"),
            ("wages", "medium"),
            ("education", "weak"),
        ],
    ),
    (
        "CR",
        &[
            ("violence", "strong"),
            ("abduction_sale", "medium"),
            ("documents", "medium"),
            ("debt_bondage", "medium"),
            ("isolation", "medium"),
            ("threat_violence", "medium"),
            ("withholding_money", "medium"),
        ],
    ),
    (
        "VR",
        &[
            ("family_difficulty", "medium"),
            ("illegal_status", "medium"),
            ("lack_education", "medium"),
            ("lack_information", "medium"),
            ("economic", "medium"),
            ("family_situation", "medium"),
            ("dependency", "medium"),
            ("beliefs", "weak"),
            ("general_context", "weak"),
        ],
    ),
    (
        "EX",
        &[
            ("excessive_hours", "strong"),
            ("living_conditions", "medium"),
            ("hazardous_work", "medium"),
            ("low_no_salary", "medium"),
            ("labour_law", "medium"),
            ("working_conditions", "medium"),
            ("wage_manipulation", "medium"),
            ("education", "weak"),
        ],
    ),
    (
        "CD",
        &[
            ("documents", "strong"),
            ("debt_bondage", "strong"),
            ("isolation", "strong"),
            ("violence", "strong"),
            ("forced_tasks", "medium"),
            ("threat_authorities", "medium"),
            ("worse_conditions", "medium"),
            ("withholding_wages", "medium"),
            ("threat_inform", "weak"),
        ],
    ),
    (
        "VD",
        &[
            ("dependency", "medium"),
            ("unknown_area", "medium"),
            ("economic", "medium"),
            ("family_situation", "medium"),
            ("past_difficulties", "weak"),
            ("personal_characteristics", "weak"),
        ],
    ),
];

/// A minimal writer of minified JSON: commas are placed by tracking whether a value is the first
/// in its container (or follows a key).
struct Json {
    out: String,
    first: bool,
}

impl Json {
    fn new() -> Self {
        Json {
            out: String::with_capacity(MAX_CASE_BYTES),
            first: true,
        }
    }

    fn len(&self) -> usize {
        self.out.len()
    }

    fn finish(self) -> String {
        self.out
    }

    fn sep(&mut self) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
    }

    fn open_obj(&mut self) {
        self.sep();
        self.out.push('{');
        self.first = true;
    }

    fn close_obj(&mut self) {
        self.out.push('}');
        self.first = false;
    }

    fn open_arr(&mut self) {
        self.sep();
        self.out.push('[');
        self.first = true;
    }

    fn close_arr(&mut self) {
        self.out.push(']');
        self.first = false;
    }

    fn key(&mut self, k: &str) {
        self.sep();
        self.quoted(k);
        self.out.push(':');
        self.first = true; // the value that follows takes no comma
    }

    fn str(&mut self, v: &str) {
        self.sep();
        self.quoted(v);
    }

    fn num(&mut self, v: u64) {
        self.sep();
        self.out.push_str(&v.to_string());
    }

    fn bool(&mut self, v: bool) {
        self.sep();
        self.out.push_str(if v { "true" } else { "false" });
    }

    fn null(&mut self) {
        self.sep();
        self.out.push_str("null");
    }

    fn quoted(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                c if u32::from(c) < 0x20 => {
                    self.out.push_str(&format!("\\u{:04x}", u32::from(c)));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_case_is_within_the_size_bounds() {
        let mut min = usize::MAX;
        let mut max = 0;
        let mut total = 0;
        for i in 0..CASES {
            let n = case_json(i).len();
            min = min.min(n);
            max = max.max(n);
            total += n;
        }
        assert!(min >= MIN_CASE_BYTES, "smallest case: {min} bytes");
        assert!(max <= MAX_CASE_BYTES, "largest case: {max} bytes");
        let mean = total / CASES as usize;
        assert!((4800..=5200).contains(&mean), "mean size {mean} bytes");
    }

    #[test]
    fn generation_is_deterministic() {
        for i in [0, 1, 42, CASES - 1, u64::MAX] {
            assert_eq!(case_json(i), case_json(i));
            assert_eq!(case_id(i), case_id(i));
        }
        assert_eq!(read_order(POINT_READS), read_order(POINT_READS));
        assert_ne!(case_json(0), case_json(1));
    }

    #[test]
    fn known_values_do_not_drift() {
        // Pinned so that a change to the generator (which would make old and new measurements
        // incomparable) is a deliberate one.
        assert_eq!(case_id(0), "ed7e205f6db600bfd057094891372e04");
        assert_eq!(read_order(5), vec![2970, 4265, 2321, 4067, 4525]);
        assert_eq!(case_json(0).len(), 5063);
        // FNV-1a 64 of every record of the workload, concatenated.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for i in 0..CASES {
            for b in case_json(i).bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        assert_eq!(h, 0xf0cb_a3bb_db5a_d512);
    }

    #[test]
    fn ids_are_distinct_32_hex_characters() {
        let ids: HashSet<String> = (0..CASES).map(case_id).collect();
        assert_eq!(ids.len(), CASES as usize);
        for id in &ids {
            assert_eq!(id.len(), 32);
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
        }
    }

    #[test]
    fn records_carry_their_id_and_the_workload_shape() {
        for i in [0, 7, 4999] {
            let json = case_json(i);
            assert!(json.starts_with(&format!("{{\"schema\":1,\"id\":\"{}\"", case_id(i))));
            assert!(json.ends_with("}]}"), "{json}");
            for key in [
                "\"screening\":",
                "\"dimensions\":",
                "\"needs\":",
                "\"notes\":",
            ] {
                assert!(json.contains(key), "{key} missing in case {i}");
            }
            for dim in ["DR", "CR", "VR", "EX", "CD", "VD"] {
                assert!(json.contains(&format!("\"{dim}\":{{\"positive\":")));
            }
            assert!(is_json(&json), "case {i} is not valid JSON: {json}");
        }
    }

    #[test]
    fn every_case_is_valid_json() {
        for i in 0..CASES {
            assert!(is_json(&case_json(i)), "case {i}");
        }
    }

    #[test]
    fn the_read_order_is_a_shuffled_sample_of_the_cases() {
        let order = read_order(POINT_READS);
        assert_eq!(order.len(), POINT_READS as usize);
        assert!(order.iter().all(|&i| i < CASES));
        let distinct: HashSet<u64> = order.iter().copied().collect();
        assert_eq!(distinct.len(), order.len());
        // Not the identity, nor sorted.
        assert!(order.windows(2).any(|w| w[0] > w[1]));
        assert!(order.windows(2).any(|w| w[0] < w[1]));
        // Past CASES, the permutation repeats.
        let long = read_order(CASES + 3);
        assert_eq!(long[CASES as usize..], long[..3]);
    }

    #[test]
    fn text_is_neither_constant_nor_random() {
        // A crude compressibility estimate: the share of distinct 4-byte windows. Real prose
        // repeats itself a lot; random bytes hardly ever; zeros always.
        let json = case_json(3);
        let bytes = json.as_bytes();
        let windows: HashSet<&[u8]> = bytes.windows(4).collect();
        let share = windows.len() as f64 / (bytes.len() - 3) as f64;
        assert!((0.2..0.8).contains(&share), "distinct 4-grams: {share}");
    }

    #[test]
    fn timestamps_are_civil_dates() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(timestamp(19_723 * 86_400), "2024-01-01T00:00:00Z");
        assert_eq!(timestamp(1_709_208_000), "2024-02-29T12:00:00Z");
        assert_eq!(timestamp(1_735_689_599), "2024-12-31T23:59:59Z");
    }

    /// A strict recursive-descent check of JSON syntax (RFC 8259), enough for these records.
    fn is_json(s: &str) -> bool {
        let b = s.as_bytes();
        let mut p = 0;
        value(b, &mut p) && p == b.len()
    }

    fn value(b: &[u8], p: &mut usize) -> bool {
        match b.get(*p) {
            Some(b'{') => {
                *p += 1;
                if b.get(*p) == Some(&b'}') {
                    *p += 1;
                    return true;
                }
                loop {
                    if !string(b, p) || b.get(*p) != Some(&b':') {
                        return false;
                    }
                    *p += 1;
                    if !value(b, p) {
                        return false;
                    }
                    match b.get(*p) {
                        Some(b',') => *p += 1,
                        Some(b'}') => {
                            *p += 1;
                            return true;
                        }
                        _ => return false,
                    }
                }
            }
            Some(b'[') => {
                *p += 1;
                if b.get(*p) == Some(&b']') {
                    *p += 1;
                    return true;
                }
                loop {
                    if !value(b, p) {
                        return false;
                    }
                    match b.get(*p) {
                        Some(b',') => *p += 1,
                        Some(b']') => {
                            *p += 1;
                            return true;
                        }
                        _ => return false,
                    }
                }
            }
            Some(b'"') => string(b, p),
            Some(b't') => literal(b, p, b"true"),
            Some(b'f') => literal(b, p, b"false"),
            Some(b'n') => literal(b, p, b"null"),
            Some(c) if c.is_ascii_digit() => {
                if *c == b'0' && b.get(*p + 1).is_some_and(u8::is_ascii_digit) {
                    return false;
                }
                while b.get(*p).is_some_and(u8::is_ascii_digit) {
                    *p += 1;
                }
                true
            }
            _ => false,
        }
    }

    fn string(b: &[u8], p: &mut usize) -> bool {
        if b.get(*p) != Some(&b'"') {
            return false;
        }
        *p += 1;
        loop {
            match b.get(*p) {
                Some(b'"') => {
                    *p += 1;
                    return true;
                }
                Some(b'\\') => match b.get(*p + 1) {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => *p += 2,
                    Some(b'u') => {
                        let hex = b.get(*p + 2..*p + 6);
                        if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                            return false;
                        }
                        *p += 6;
                    }
                    _ => return false,
                },
                Some(c) if *c < 0x20 => return false,
                Some(_) => *p += 1,
                None => return false,
            }
        }
    }

    fn literal(b: &[u8], p: &mut usize, lit: &[u8]) -> bool {
        if b.get(*p..*p + lit.len()) == Some(lit) {
            *p += lit.len();
            true
        } else {
            false
        }
    }
}

//! Deterministic generator of realistic Polish service-desk text: subjects and bodies of
//! tickets from hotels, spas and restaurants, and the search words a support agent types.

/// SplitMix64: small, fast, deterministic; good enough to vary benchmark data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next_u64() % 100 < pct
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> Option<&'a T> {
        xs.get(self.below(xs.len()))
    }

    /// One of `xs` chosen with the given weights.
    pub fn weighted<T: Copy>(&mut self, xs: &[(T, u64)]) -> Option<T> {
        let total: u64 = xs.iter().map(|(_, w)| w).sum();
        if total == 0 {
            return None;
        }
        let mut r = self.next_u64() % total;
        for (x, w) in xs {
            if r < *w {
                return Some(*x);
            }
            r -= w;
        }
        None
    }
}

pub const SURNAMES: &[&str] = &[
    "Kowalski",
    "Nowak",
    "Wiśniewska",
    "Wójcik",
    "Kamińska",
    "Lewandowski",
    "Zielińska",
    "Szymański",
    "Woźniak",
    "Dąbrowska",
    "Kozłowski",
    "Jankowska",
    "Mazur",
    "Krawczyk",
    "Piątek",
    "Grabowski",
    "Nowakowska",
    "Pawłowski",
    "Michalska",
    "Król",
    "Wieczorek",
    "Jabłoński",
    "Wróbel",
    "Majewska",
    "Olszewski",
    "Stępień",
    "Jaworska",
    "Malinowski",
    "Górecki",
    "Sikora",
    "Ostrowska",
    "Baran",
    "Szewczyk",
    "Tomaszewski",
    "Pietrzak",
    "Marciniak",
    "Wróblewska",
    "Zalewski",
    "Jakubowska",
    "Zawadzki",
    "Sadowska",
    "Bąk",
    "Chmielewski",
    "Włodarczyk",
    "Borkowska",
    "Czarnecki",
    "Sawicka",
    "Sokołowski",
    "Urbańska",
    "Kubiak",
    "Maciejewska",
    "Szczepański",
    "Kaźmierczak",
    "Czerwińska",
    "Głowacka",
    "Kołodziej",
    "Przybylski",
    "Żak",
    "Ślusarczyk",
    "Łukasik",
];

pub const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Katarzyna",
    "Małgorzata",
    "Agnieszka",
    "Magdalena",
    "Joanna",
    "Żaneta",
    "Grażyna",
    "Piotr",
    "Krzysztof",
    "Tomasz",
    "Paweł",
    "Łukasz",
    "Michał",
    "Grzegorz",
    "Jędrzej",
    "Bartłomiej",
    "Zofia",
    "Jadwiga",
    "Wojciech",
];

const PROBLEMS: &[&str] = &[
    "Nie drukuje się faktura VAT",
    "Drukarka fiskalna nie odpowiada",
    "Błąd przy zamykaniu doby hotelowej",
    "Karta magnetyczna nie otwiera drzwi",
    "Synchronizacja z Booking.com zatrzymana",
    "Nie można zameldować gościa",
    "Raport kasowy pokazuje złą kwotę",
    "System działa bardzo wolno po aktualizacji",
    "Prośba o szkolenie z modułu SPA",
    "Propozycja: eksport rezerwacji do Excela",
    "Terminal płatniczy odrzuca transakcje",
    "Zduplikowane rezerwacje w grafiku",
    "Brak połączenia z serwerem bazy danych",
    "Paragon nie trafia na drukarkę w restauracji",
    "Gość nie otrzymał potwierdzenia rezerwacji",
    "Błędna stawka VAT na rachunku za minibar",
    "Nie działa logowanie do panelu recepcji",
    "Zmiana cennika pokoi na sezon letni",
    "Korekta faktury dla grupy zorganizowanej",
    "Zabiegi w SPA nie pojawiają się na rachunku",
    "Kiosk samoobsługowy zawiesza się przy wymeldowaniu",
    "Pytanie o rozliczenie zaliczki",
    "Nowy użytkownik dla kierownika zmiany",
    "Czytnik dowodów osobistych nie rozpoznaje dokumentu",
    "Integracja z systemem kluczy hotelowych przestała działać",
    "Błąd zaokrągleń w płatnościach dzielonych",
    "Prośba o dodanie nowego punktu sprzedaży",
    "Nie wysyłają się e-maile z potwierdzeniem",
    "Grafik pokojówek pokazuje nieaktualne dane",
    "Brak możliwości zamknięcia zmiany kasowej",
    "Ceny w kanale OTA różnią się od cennika",
    "Awaria po aktualizacji systemu operacyjnego",
    "Przeniesienie licencji na nowy komputer",
    "Pomyłka w numeracji faktur",
    "Wydruk karty meldunkowej jest pusty",
    "Zapytanie o moduł rozliczeń kuracjuszy",
    "Skierowania NFZ nie importują się",
    "Zabiegi kuracjuszy nachodzą na siebie w harmonogramie",
    "Nie zgadza się stan magazynu baru",
    "Kelnerski terminal traci połączenie Wi-Fi",
    "Opłata miejscowa naliczana podwójnie",
    "Żółty ekran błędu przy otwieraniu grafiku",
];

const MONTHS: &[&str] = &[
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
];

pub const MODULES: &[&str] =
    &["Recepcja", "Kasa", "SPA", "Gastronomia", "Rezerwacje", "Raporty", "Magazyn", "Kuracjusze"];

pub const TAGS: &[&str] = &["vip", "fiskalna", "booking", "aktualizacja", "sieć", "grupa", "płatności"];

/// A ticket subject, at most a few dozen characters over the problem itself.
pub fn subject(rng: &mut Rng) -> String {
    let problem = rng.pick(PROBLEMS).copied().unwrap_or("Problem z systemem");
    match rng.below(8) {
        0 => format!("{problem} – pokój {}", rng.range(101, 520)),
        1 => format!("{problem} w recepcji"),
        2 => format!("{problem} (od rana)"),
        3 => format!("PILNE: {problem}"),
        4 => format!("{problem} na stanowisku {}", rng.range(1, 6)),
        5 => {
            let day = rng.range(1, 28);
            let month = rng.pick(MONTHS).copied().unwrap_or("maja");
            format!("{problem} od {day} {month}")
        }
        _ => problem.to_owned(),
    }
}

fn person(rng: &mut Rng) -> String {
    let first = rng.pick(FIRST_NAMES).copied().unwrap_or("Anna");
    let last = rng.pick(SURNAMES).copied().unwrap_or("Nowak");
    format!("{first} {last}")
}

fn sentence(rng: &mut Rng) -> String {
    let surname = rng.pick(SURNAMES).copied().unwrap_or("Nowak");
    match rng.below(22) {
        0 => "Dzień dobry, od dzisiejszego rana mamy problem, który blokuje pracę recepcji.".to_owned(),
        1 => format!("Recepcjonistka {} zgłasza, że komunikat o błędzie pojawia się przy każdej próbie.", person(rng)),
        2 => format!("Gość z pokoju {} czeka na rachunek, prosimy o pilny kontakt.", rng.range(101, 520)),
        3 => "Restart komputera nie pomógł, inne programy działają poprawnie.".to_owned(),
        4 => format!("Problem dotyczy stanowiska numer {} w recepcji głównej.", rng.range(1, 6)),
        5 => "W załączeniu przesyłamy zrzut ekranu z komunikatem.".to_owned(),
        6 => format!(
            "Kwota na paragonie wynosi {},{:02} zł, a w systemie widzimy inną wartość.",
            rng.range(12, 4800),
            rng.range(0, 99)
        ),
        7 => {
            let d = rng.range(1, 27);
            let month = rng.pick(MONTHS).copied().unwrap_or("maja");
            format!("Ostatnia aktualizacja była instalowana w nocy z {d} na {} {month}.", d + 1)
        }
        8 => "Sieć i serwer działają, drukarka jest włączona i ma papier.".to_owned(),
        9 => "Prosimy o informację, kiedy możemy spodziewać się rozwiązania.".to_owned(),
        10 => format!("Gość, pan {surname}, zgłosił reklamację w związku z tą sytuacją."),
        11 => format!("Pani {surname} z działu księgowości prosi o korektę dokumentu."),
        12 => "Sprawa jest pilna, ponieważ w weekend spodziewamy się dużej grupy zorganizowanej.".to_owned(),
        13 => "Podobny problem występował już w zeszłym miesiącu i wtedy pomogła zmiana ustawień.".to_owned(),
        14 => format!("Numer rezerwacji: RZ-{}/{}.", rng.range(1000, 99_999), rng.range(2024, 2026)),
        15 => format!("Z poważaniem, {}, kierownik recepcji.", person(rng)),
        16 => "Błąd pojawia się tylko przy płatności kartą, gotówka działa bez zarzutu.".to_owned(),
        17 => "Żółta lampka na terminalu miga, a ekran pokazuje komunikat o braku łączności.".to_owned(),
        18 => "Zamknięcie doby zatrzymuje się na etapie naliczania opłaty miejscowej.".to_owned(),
        19 => "Kuracjusze z turnusu rozpoczynającego się w poniedziałek nie widzą swoich zabiegów.".to_owned(),
        20 => format!(
            "Dzwoniła pani {surname}, prosi o oddzwonienie na numer +48 {}.",
            rng.range(500_000_000, 799_999_999)
        ),
        _ => "Po wymeldowaniu gościa minibar nadal jest doliczany do rachunku pokoju.".to_owned(),
    }
}

/// A body of two to six sentences.
pub fn body(rng: &mut Rng) -> String {
    let n = rng.range(2, 6);
    (0..n).map(|_| sentence(rng)).collect::<Vec<_>>().join(" ")
}

/// Search queries: words of the subjects and bodies, with Polish letters and folded, whole
/// words and prefixes, common and rare, single words and pairs.
pub const SEARCHES: &[&str] = &[
    "faktura",
    "faktur",
    "drukarka fiskalna",
    "fiskalna",
    "błąd",
    "blad",
    "zameldować",
    "zameldowac",
    "płatności",
    "platnosci",
    "Wójcik",
    "wojcik",
    "Dąbrowska",
    "dabrowska",
    "Woźniak",
    "wozniak",
    "Łukasik",
    "lukasik",
    "booking",
    "minibar",
    "kuracjuszy",
    "zamknięcie doby",
    "zamkniecie doby",
    "terminal",
    "żółta lampka",
    "zolta lampka",
    "opłaty miejscowej",
    "oplata",
    "skierowania NFZ",
    "rezerwacji",
    "magazynu",
    "licencji",
    "kiosk",
    "paragon",
    "VAT",
    "zrzut ekranu",
    "gość",
    "gosc",
    "pokój 214",
    "reklamację",
    "reklamacje",
    "księgowości",
    "ksiegowosci",
    "Grażyna",
    "grazyna",
    "kelnerski",
    "Wi-Fi",
    "szkolenie SPA",
    "xylofon",
];

//! `deskbell sla deadline|counted` from the outside: the worked examples of DESIGN §3, each
//! run through the real binary, and the bad input it must refuse.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn deskbell(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_deskbell")).args(args).output().expect("run deskbell");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim_end().to_owned(),
        String::from_utf8_lossy(&out.stderr).trim_end().to_owned(),
    )
}

fn deadline(calendar: &str, start: &str, target: &str, pauses: &[&str]) -> String {
    let mut args = vec!["sla", "deadline", "--calendar", calendar, "--start", start, "--target", target];
    for p in pauses {
        args.extend(["--pause", p]);
    }
    let (ok, out, err) = deskbell(&args);
    assert!(ok, "{args:?}: {err}");
    out
}

const STD: &str = "pl-business-08-20";

#[test]
fn the_worked_examples_of_design_section_three_print_their_deadlines() {
    assert_eq!(deadline(STD, "2026-03-13T19:30", "2h", &[]), "2026-03-16T09:30:00+01:00");
    assert_eq!(deadline(STD, "2026-12-23T18:00", "8h", &[]), "2026-12-28T14:00:00+01:00");
    assert_eq!(deadline(STD, "2026-03-13T18:00", "2h", &[]), "2026-03-13T20:00:00+01:00");
    assert_eq!(deadline(STD, "2026-05-04T08:00", "24h", &[]), "2026-05-05T20:00:00+02:00");
    assert_eq!(
        deadline(STD, "2026-03-02T10:00", "8h", &["2026-03-02T14:00/2026-03-04T09:00"]),
        "2026-03-04T13:00:00+01:00"
    );
    assert_eq!(deadline("24x7", "2026-03-29T01:30", "2h", &[]), "2026-03-29T04:30:00+02:00");
    assert_eq!(deadline("24x7", "2026-10-24T22:00", "8h", &[]), "2026-10-25T05:00:00+01:00");
}

#[test]
fn counted_time_is_printed_as_hours_minutes_seconds() {
    let (ok, out, err) = deskbell(&[
        "sla",
        "counted",
        "--calendar",
        STD,
        "--from",
        "2026-03-13T19:30",
        "--to",
        "2026-03-16T09:30:00+01:00",
    ]);
    assert!(ok, "{err}");
    assert_eq!(out, "02:00:00");
    // Two business days on the 08-20 calendar are 24 hours of counted time.
    let (_, out, _) =
        deskbell(&["sla", "counted", "--calendar", STD, "--from", "2026-05-04T08:00", "--to", "2026-05-06T08:00"]);
    assert_eq!(out, "24:00:00");
    let (_, out, _) = deskbell(&[
        "sla",
        "counted",
        "--calendar",
        STD,
        "--from",
        "2026-03-02T10:00",
        "--to",
        "2026-03-04T13:00",
        "--pause",
        "2026-03-02T14:00/2026-03-04T09:00",
    ]);
    assert_eq!(out, "08:00:00");
}

#[test]
fn a_calendar_file_with_a_night_shift_is_read() {
    let dir = std::env::temp_dir().join(format!("deskbell-sla-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("night.toml");
    std::fs::write(
        &file,
        "time_zone = \"Europe/Warsaw\"\nholidays = \"none\"\n[[intervals]]\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\nstart = \"22:00\"\nend = \"06:00\"\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    // Friday's shift runs into Saturday morning and belongs to Friday: 23:00–06:00 gives 7 h,
    // the eighth hour is counted on Monday night.
    assert_eq!(deadline(path, "2026-03-13T23:00", "4h", &[]), "2026-03-14T03:00:00+01:00");
    assert_eq!(deadline(path, "2026-03-13T23:00", "8h", &[]), "2026-03-16T23:00:00+01:00");
    let always = dir.join("always.toml");
    std::fs::write(&always, "time_zone = \"Europe/Warsaw\"\nalways_open = true\n").unwrap();
    assert_eq!(deadline(always.to_str().unwrap(), "2026-03-13T23:00", "4h", &[]), "2026-03-14T03:00:00+01:00");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_refused_with_a_precise_message() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["sla", "deadline", "--calendar", "pl-business", "--start", "2026-03-13T19:30", "--target", "2h"],
            "unknown calendar `pl-business`",
        ),
        (&["sla", "deadline", "--calendar", STD, "--start", "2026-03-13T19:30", "--target", "0m"], "is zero"),
        (&["sla", "deadline", "--calendar", STD, "--start", "2026-03-13T19:30", "--target=-2h"], "is not a duration"),
        (&["sla", "deadline", "--calendar", STD, "--start", "yesterday", "--target", "2h"], "is not a time"),
        (&["sla", "deadline", "--calendar", STD, "--start", "2026-03-29T02:30", "--target", "2h"], "does not exist"),
        (&["sla", "deadline", "--calendar", STD, "--start", "2026-10-25T02:30", "--target", "2h"], "is ambiguous"),
        (
            &[
                "sla",
                "deadline",
                "--calendar",
                STD,
                "--start",
                "2026-03-02T10:00",
                "--target",
                "2h",
                "--pause",
                "2026-03-03T10:00/2026-03-02T10:00",
            ],
            "ends at",
        ),
        (
            &["sla", "counted", "--calendar", STD, "--from", "2026-03-03T10:00", "--to", "2026-03-02T10:00"],
            "is before --from",
        ),
        (
            &[
                "sla",
                "deadline",
                "--calendar",
                "/nonexistent/cal.toml",
                "--start",
                "2026-03-13T19:30",
                "--target",
                "2h",
            ],
            "cannot read calendar file",
        ),
    ];
    for (args, expected) in cases {
        let (ok, out, err) = deskbell(args);
        assert!(!ok, "{args:?} succeeded with {out}");
        assert!(err.contains(expected), "{args:?}: expected `{expected}` in {err:?}");
        assert!(out.is_empty(), "{args:?} printed {out}");
    }
}

#[test]
fn an_invalid_calendar_file_names_its_problem() {
    let dir = std::env::temp_dir().join(format!("deskbell-sla-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = [
        ("zone.toml", "time_zone = \"Europe/Atlantis\"\nalways_open = true\n", "Europe/Atlantis"),
        (
            "overlap.toml",
            "time_zone = \"Europe/Warsaw\"\nholidays = \"pl\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"08:00\"\nend = \"12:00\"\n[[intervals]]\ndays = [\"mon\"]\nstart = \"11:00\"\nend = \"13:00\"\n",
            "overlap",
        ),
        ("typo.toml", "time_zone = \"Europe/Warsaw\"\nalways_opn = true\n", "always_opn"),
    ];
    for (name, text, expected) in bad {
        let file = dir.join(name);
        std::fs::write(&file, text).unwrap();
        let (ok, _, err) = deskbell(&[
            "sla",
            "deadline",
            "--calendar",
            file.to_str().unwrap(),
            "--start",
            "2026-03-13T10:00",
            "--target",
            "1h",
        ]);
        assert!(!ok, "{name} accepted");
        assert!(err.to_lowercase().contains(&expected.to_lowercase()), "{name}: expected `{expected}` in {err:?}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

//! One action, three edges: the command line, the JSON API and the workspace give the same
//! answer for the same action on a survey in the same state — the same success, or the same
//! refusal in the same words — and each success is written to the audit log exactly once,
//! whichever edge performed it.

use crate::helpers::{post, TestApp};
use crate::org_client::{api_key, OrgClient};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Edge {
    CommandLine,
    Api,
    Workspace,
}

const EDGES: [Edge; 3] = [Edge::CommandLine, Edge::Api, Edge::Workspace];

#[derive(Clone, Copy, Debug)]
enum Action {
    IssueCodes,
    Publish,
    Open,
    Close,
    OpenKiosk,
}

impl Action {
    /// The action's name in the audit log.
    fn audited_as(self) -> &'static str {
        match self {
            Action::IssueCodes => "issue codes",
            Action::Publish => "publish release",
            Action::Open => "open survey",
            Action::Close => "close survey",
            Action::OpenKiosk => "open kiosk",
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum State {
    Missing,
    Draft,
    Open,
    Closed,
    Shredded,
    OpenMode,
}

/// What an edge answered: success or not, and the words of a refusal.
#[derive(Debug)]
struct Answer {
    ok: bool,
    /// A refusal's message as the edge shows it (HTML-escaped for the workspace).
    said: String,
}

fn definition(id: &str, open_mode: bool) -> String {
    let mode = if open_mode { "open" } else { "invite" };
    format!(
        "id = \"{id}\"\ntitle = \"Edges\"\nmode = \"{mode}\"\nthreshold = 5\nmin_responses = 10\n[[pages]]\ntitle = \"P\"\n  [[pages.questions]]\n  id = \"q\"\n  type = \"single\"\n  role = \"plain\"\n  text = \"Q?\"\n  options = [ {{ id = \"a\", text = \"A\" }}, {{ id = \"b\", text = \"B\" }} ]\n"
    )
}

struct Bench {
    app: TestApp,
    key: String,
    org: OrgClient,
}

impl Bench {
    fn new() -> Bench {
        let app = TestApp::spawn();
        let org = OrgClient::log_in(&app, "edna", "organiser");
        let key = format!("Bearer {}", api_key(&app, "edna"));
        Bench { app, key, org }
    }

    /// A fresh survey with its own id, brought into `state` through the command line.
    fn survey_in(&self, state: State, id: &str) -> String {
        let cli = |args: &[&str]| {
            let (ok, _, stderr) = self.app.cli(args);
            assert!(ok, "{args:?}: {stderr}");
        };
        if matches!(state, State::Missing) {
            return id.to_owned();
        }
        self.app
            .import(&definition(id, matches!(state, State::OpenMode)));
        if matches!(
            state,
            State::Open | State::Closed | State::Shredded | State::OpenMode
        ) {
            cli(&["survey", "open", id]);
        }
        if matches!(state, State::Closed | State::Shredded) {
            cli(&["survey", "close", id]);
        }
        if matches!(state, State::Shredded) {
            cli(&["survey", "shred", id]);
        }
        id.to_owned()
    }

    fn perform(&self, edge: Edge, action: Action, survey: &str) -> Answer {
        match edge {
            Edge::CommandLine => {
                let args: Vec<&str> = match action {
                    Action::IssueCodes => vec!["codes", "issue", survey, "--count", "2"],
                    Action::Publish => vec!["release", "publish", survey],
                    Action::Open => vec!["survey", "open", survey],
                    Action::Close => vec!["survey", "close", survey],
                    Action::OpenKiosk => vec!["kiosk", "open", survey],
                };
                let (ok, _, stderr) = self.app.cli(&args);
                Answer {
                    ok,
                    said: stderr
                        .trim()
                        .trim_start_matches("chorus: ")
                        .replace(survey, "{id}"),
                }
            }
            Edge::Api => {
                let (path, body) = match action {
                    Action::IssueCodes => ("codes", r#"{"count": 2}"#),
                    Action::Publish => ("releases", ""),
                    Action::Open => ("open", ""),
                    Action::Close => ("close", ""),
                    Action::OpenKiosk => ("kiosks", ""),
                };
                let (status, reply) = post(
                    &self.app.url(&format!("/api/v1/surveys/{survey}/{path}")),
                    body,
                    &[
                        ("Authorization", &self.key),
                        ("Content-Type", "application/json"),
                    ],
                );
                let json: serde_json::Value = serde_json::from_str(&reply).unwrap_or_default();
                Answer {
                    ok: (200..300).contains(&status),
                    said: json["message"]
                        .as_str()
                        .unwrap_or("")
                        .replace(survey, "{id}"),
                }
            }
            Edge::Workspace => {
                let (path, fields): (String, Vec<(&str, &str)>) = match action {
                    Action::IssueCodes => (
                        format!("/org/s/{survey}/codes"),
                        vec![("count", "2"), ("format", "csv")],
                    ),
                    Action::Publish => (format!("/org/s/{survey}/releases"), vec![]),
                    Action::Open => (format!("/org/s/{survey}/state"), vec![("to", "open")]),
                    Action::Close => (
                        format!("/org/s/{survey}/state"),
                        vec![("to", "closed"), ("confirm", "yes")],
                    ),
                    Action::OpenKiosk => (format!("/org/s/{survey}/kiosks"), vec![]),
                };
                let page = self.org.post("/org", &path, &fields);
                Answer {
                    ok: page.status < 400,
                    said: page.html.replace(survey, "{id}"),
                }
            }
        }
    }

    /// How often the audit log records `action` on `survey`.
    fn audited(&self, action: Action, survey: &str) -> usize {
        let page = self.org.get("/org/audit");
        let doc = scraper::Html::parse_document(&page.html);
        let row = scraper::Selector::parse("tbody tr").expect("selector");
        let cell = scraper::Selector::parse("td").expect("selector");
        doc.select(&row)
            .filter(|r| {
                let cells: Vec<String> = r.select(&cell).map(|c| c.text().collect()).collect();
                cells.get(2).map(String::as_str) == Some(action.audited_as())
                    && cells.get(3).map(String::as_str) == Some(survey)
            })
            .count()
    }
}

/// The workspace shows a refusal inside a page: its words, HTML-escaped, must be there.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

#[test]
fn every_edge_gives_the_same_answer_for_the_same_action_in_every_state_and_audits_it_once() {
    let bench = Bench::new();
    let states = [
        State::Missing,
        State::Draft,
        State::Open,
        State::Closed,
        State::Shredded,
        State::OpenMode,
    ];
    let actions = [
        Action::IssueCodes,
        Action::Publish,
        Action::Open,
        Action::Close,
        Action::OpenKiosk,
    ];
    let mut table = Vec::new();
    for (a, action) in actions.iter().enumerate() {
        for (s, state) in states.iter().enumerate() {
            let answers: Vec<(Edge, String, Answer, usize)> = EDGES
                .iter()
                .enumerate()
                .map(|(e, edge)| {
                    let id = bench.survey_in(*state, &format!("e{a}s{s}x{e}"));
                    let before = bench.audited(*action, &id);
                    let answer = bench.perform(*edge, *action, &id);
                    let entries = bench.audited(*action, &id) - before;
                    (*edge, id, answer, entries)
                })
                .collect();
            let (_, _, first, _) = &answers[0];
            for (edge, _, answer, entries) in &answers {
                assert_eq!(
                    answer.ok, first.ok,
                    "{action:?} on a {state:?} survey: {edge:?} says {answer:?}, the command line {first:?}"
                );
                if !first.ok {
                    assert!(
                        !first.said.is_empty(),
                        "{action:?}/{state:?}: a refusal says why"
                    );
                    let same_words = match edge {
                        // A page says it as a sentence: a capital first, a full stop last.
                        Edge::Workspace => answer
                            .said
                            .to_lowercase()
                            .contains(&escaped(&first.said).to_lowercase()),
                        _ => answer.said == first.said,
                    };
                    assert!(
                        same_words,
                        "{action:?} on a {state:?} survey: {edge:?} words it differently from the command line ({}):\n{}",
                        first.said, answer.said
                    );
                }
                let expected = usize::from(answer.ok);
                assert_eq!(
                    *entries, expected,
                    "{action:?} on a {state:?} survey through {edge:?}: audited once per success"
                );
            }
            table.push(format!(
                "{action:?} × {state:?}: {}",
                if first.ok { "done" } else { "refused" }
            ));
        }
    }
    // The table is not trivially one-sided: some cases succeed and some are refused.
    assert!(table.iter().any(|l| l.ends_with("done")), "{table:#?}");
    assert!(table.iter().any(|l| l.ends_with("refused")), "{table:#?}");
}

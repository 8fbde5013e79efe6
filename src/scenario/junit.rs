//! `run --junit FILE`: a JUnit XML report for CI systems, one `<testsuite>` per scenario and
//! one `<testcase>` per expectation; a failure carries `file:line` and expected / found.

use super::runner::Played;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// One expectation's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// What was checked, e.g. `cycle 2 created`.
    pub name: String,
    /// `file:line` (or `file:step[3]`) of the expect step.
    pub place: String,
    /// `None` when it held; else (expected, found).
    pub failure: Option<(String, String)>,
}

/// One scenario's results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suite {
    /// The scenario's name.
    pub name: String,
    /// Its file.
    pub file: String,
    /// Its expectations, in timeline order.
    pub cases: Vec<Case>,
}

impl Suite {
    /// The results of a played scenario.
    pub fn of(played: &Played) -> Self {
        let cases = played
            .checks()
            .map(|(step, check)| {
                let place = match step.line {
                    Some(line) => format!("{}:{line}", played.file),
                    None => format!("{}:{}", played.file, step.place()),
                };
                Case {
                    name: check.what.clone(),
                    place,
                    failure: (!check.ok).then(|| (check.expected.clone(), check.actual.clone())),
                }
            })
            .collect();
        Suite {
            name: played.name.clone(),
            file: played.file.clone(),
            cases,
        }
    }

    fn failures(&self) -> usize {
        self.cases.iter().filter(|c| c.failure.is_some()).count()
    }
}

/// The JUnit XML document for these suites.
pub fn render(suites: &[Suite]) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail.
    let _ = write_document(&mut w, suites);
    String::from_utf8_lossy(&w.into_inner()).into_owned() + "\n"
}

fn write_document(w: &mut Writer<Vec<u8>>, suites: &[Suite]) -> std::io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "blinksim run"));
    root.push_attribute(("tests", tests.to_string().as_str()));
    root.push_attribute(("failures", failures.to_string().as_str()));
    w.write_event(Event::Start(root))?;
    for suite in suites {
        write_suite(w, suite)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    Ok(())
}

fn write_suite(w: &mut Writer<Vec<u8>>, suite: &Suite) -> std::io::Result<()> {
    let mut start = BytesStart::new("testsuite");
    start.push_attribute(("name", suite.name.as_str()));
    start.push_attribute(("file", suite.file.as_str()));
    start.push_attribute(("tests", suite.cases.len().to_string().as_str()));
    start.push_attribute(("failures", suite.failures().to_string().as_str()));
    start.push_attribute(("errors", "0"));
    w.write_event(Event::Start(start))?;
    for case in &suite.cases {
        let mut start = BytesStart::new("testcase");
        start.push_attribute(("name", case.name.as_str()));
        start.push_attribute(("classname", suite.name.as_str()));
        start.push_attribute(("file", case.place.as_str()));
        let Some((expected, found)) = &case.failure else {
            w.write_event(Event::Empty(start))?;
            continue;
        };
        w.write_event(Event::Start(start))?;
        let message = format!("{}: expected {expected}, found {found}", case.place);
        let mut failure = BytesStart::new("failure");
        failure.push_attribute(("message", message.as_str()));
        failure.push_attribute(("type", "expectation"));
        w.write_event(Event::Start(failure))?;
        let body = format!(
            "{}\n{}\nexpected: {expected}\nfound:    {found}",
            case.place, case.name
        );
        w.write_event(Event::Text(BytesText::new(&body)))?;
        w.write_event(Event::End(BytesEnd::new("failure")))?;
        w.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::Reader;

    fn suite() -> Suite {
        Suite {
            name: "purge <30 days> & \"more\"".into(),
            file: "scenarios/purge.toml".into(),
            cases: vec![
                Case {
                    name: "cycle 1 created".into(),
                    place: "scenarios/purge.toml:12".into(),
                    failure: None,
                },
                Case {
                    name: "user ada active".into(),
                    place: "scenarios/purge.toml:20".into(),
                    failure: Some(("false".into(), "true <x>".into())),
                },
            ],
        }
    }

    /// An element's name and attributes.
    type Element = (String, Vec<(String, String)>);

    /// Every start or empty element, and the texts.
    fn parse(xml: &str) -> (Vec<Element>, Vec<String>) {
        let mut reader = Reader::from_str(xml);
        let (mut elements, mut texts) = (Vec::new(), Vec::new());
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    let attrs = e
                        .attributes()
                        .map(|a| {
                            let a = a.expect("attribute");
                            let value = a.unescape_value().expect("escaped value");
                            (
                                String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                                value.into_owned(),
                            )
                        })
                        .collect();
                    elements.push((
                        String::from_utf8_lossy(e.name().as_ref()).into_owned(),
                        attrs,
                    ));
                }
                Event::Text(t) => {
                    let text = t.decode().expect("text").into_owned();
                    if !text.trim().is_empty() {
                        texts.push(text);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        (elements, texts)
    }

    #[test]
    fn one_testcase_per_expectation_with_located_failures() {
        let xml = render(&[suite()]);
        let (elements, texts) = parse(&xml);
        let names: Vec<&str> = elements.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["testsuites", "testsuite", "testcase", "testcase", "failure"]
        );
        let attr = |i: usize, k: &str| {
            elements[i]
                .1
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(attr(0, "tests").as_deref(), Some("2"));
        assert_eq!(attr(0, "failures").as_deref(), Some("1"));
        assert_eq!(
            attr(1, "name").as_deref(),
            Some("purge <30 days> & \"more\"")
        );
        assert_eq!(
            attr(4, "message").as_deref(),
            Some("scenarios/purge.toml:20: expected false, found true <x>")
        );
        assert!(texts.iter().any(|t| t.contains("found:    true")), "{xml}");
    }
}

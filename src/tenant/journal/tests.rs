use super::*;

fn entry(op: Operation, status: Option<u16>) -> JournalEntry {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        http::HeaderValue::from_static("Bearer s3cret"),
    );
    JournalEntry {
        seq: 0,
        time: 0,
        method: Method::GET,
        path: "/scim/Users".into(),
        query: None,
        headers,
        request_body: Bytes::new(),
        status,
        response_body: Bytes::from_static(b"{\"a\":1}"),
        latency_us: 1500,
        operation: op,
        faults: Vec::new(),
        truncated: None,
    }
}

#[test]
fn ring_is_bounded_and_secrets_redacted() {
    let j = Journal::new(3);
    for i in 0..5 {
        j.record(entry(Operation::List, Some(200 + i)));
    }
    let kept = j.entries();
    assert_eq!(kept.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4, 5]);
    let json = serde_json::to_string(&*kept[0]).unwrap();
    assert!(
        !json.contains("s3cret") && json.contains("Bearer [redacted]"),
        "{json}"
    );
    assert!(json.contains("\"response_body\":{\"a\":1}"));
    assert_eq!(j.stats()[&Operation::List].latency.count(), 5);
    let q = JournalQuery {
        status: Some(204),
        ..Default::default()
    };
    assert_eq!(j.query(&q).len(), 1);
    assert_eq!(
        j.query(&JournalQuery {
            limit: Some(2),
            ..Default::default()
        })
        .iter()
        .map(|e| e.seq)
        .collect::<Vec<_>>(),
        [4, 5]
    );
    j.reset();
    assert!(j.entries().is_empty() && j.stats().is_empty());
}

#[test]
fn bounded_in_total_entries_and_bytes_across_threads() {
    let j = Arc::new(Journal::with_limits(JournalLimits {
        entries: 10,
        bytes: 1 << 20,
        body_bytes: 1000,
    }));
    std::thread::scope(|s| {
        for _ in 0..4 {
            let j = Arc::clone(&j);
            s.spawn(move || {
                for _ in 0..25 {
                    j.record(entry(Operation::List, Some(200)));
                }
            });
        }
    });
    assert_eq!((j.len(), j.entries().len()), (10, 10));
    assert_eq!(j.entries().last().map(|e| e.seq), Some(100));
    let big = |n: usize| JournalEntry {
        request_body: Bytes::from(vec![b'x'; n]),
        ..entry(Operation::Create, Some(201))
    };
    let j = Journal::with_limits(JournalLimits {
        entries: 1000,
        bytes: 10_000,
        body_bytes: 3000,
    });
    for _ in 0..20 {
        j.record(big(1_000_000));
    }
    let kept = j.entries();
    assert!(kept.len() <= 3 && !kept.is_empty(), "{}", kept.len());
    assert_eq!(kept[0].request_body.len(), 3000);
    let json = serde_json::to_value(&*kept[0]).unwrap();
    assert_eq!(json["truncated_bodies"]["request_body"], 1_000_000);
    let many = JournalQuery {
        limit: Some(usize::MAX),
        ..Default::default()
    };
    let j = Journal::new(5000);
    for _ in 0..2000 {
        j.record(entry(Operation::List, Some(200)));
    }
    assert_eq!(j.query(&many).len(), MAX_QUERY_LIMIT);
    j.clear();
    assert!(j.is_empty());
}

#[test]
fn a_failing_journal_file_is_reported() {
    struct Full;
    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("No space left on device"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let j = Journal::new(3);
    j.stream_to(Box::new(Full));
    j.record(entry(Operation::List, Some(200)));
    for _ in 0..200 {
        if j.file_error().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert!(j.file_error().is_some_and(|e| e.contains("No space")));
}

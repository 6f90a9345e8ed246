//! The ids a created call gets.

use super::dialect;
use crate::emulator::dialect::Dialect;
use std::collections::BTreeSet;

fn uuid_shaped(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups.iter().all(|g| {
            g.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
}

#[test]
fn call_and_request_uuids_are_uuid_shaped_distinct_and_the_same_for_the_same_n() {
    let mut seen = BTreeSet::new();
    for n in (0..2_000).chain([u64::MAX, 1 << 48, (1 << 48) + 1]) {
        let (uuid, request) = dialect().new_ids(n);
        let request = request.expect("Plivo answers a create with a request uuid");
        assert!(uuid_shaped(&uuid), "{uuid}");
        assert!(uuid_shaped(&request), "{request}");
        assert!(seen.insert(uuid.clone()), "{uuid} repeated");
        assert!(seen.insert(request.clone()), "{request} repeated");
        assert_eq!(dialect().new_ids(n), (uuid, Some(request)));
    }
}

#[test]
fn a_create_does_not_name_the_call() {
    assert!(!dialect().create_returns_call_id());
}

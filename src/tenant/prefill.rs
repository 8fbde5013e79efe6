//! Realistic Blink users to prefill a tenant with (`serve --users N --seed S`).

use crate::fakes::{DEPARTMENTS, PeopleGenerator, domain_of};
use crate::scim::group::{GroupAttrs, Member};
use crate::scim::user::{BlinkProfile, Enterprise, MultiValue, Name, Text, UserAttrs};
use rand::RngExt;
use uuid::Uuid;

/// Most members a prefilled group gets.
const MAX_PREFILL_MEMBERS: usize = 40;

/// Generates `count` groups from `seed` with members drawn from `users` (`serve --groups
/// --group-prefill N`): one per department first, then teams; the externalId looks like an
/// Entra objectId. The same seed and users give the same groups.
pub fn groups(count: usize, seed: u64, users: &[Uuid]) -> Vec<GroupAttrs> {
    let mut rng = crate::fakes::rng(seed, 0x0067_726f_7570);
    (0..count)
        .map(|i| {
            let department = DEPARTMENTS[i % DEPARTMENTS.len()];
            let display_name = match i / DEPARTMENTS.len() {
                0 => department.to_string(),
                n => format!("{department} Team {n}"),
            };
            let wanted = rng.random_range(0..=MAX_PREFILL_MEMBERS.min(users.len()));
            let mut attrs = GroupAttrs {
                display_name,
                external_id: Some(
                    uuid::Builder::from_random_bytes(rng.random())
                        .into_uuid()
                        .to_string(),
                ),
                members: Vec::new(),
            };
            if !users.is_empty() {
                attrs.add_members(
                    (0..wanted)
                        .map(|_| Member {
                            value: users[rng.random_range(0..users.len())],
                            display: None,
                        })
                        .collect(),
                );
            }
            attrs
        })
        .collect()
}

/// Generates `count` users from `seed`; the same seed gives the same users.
///
/// They look like what Azure AD provisions into Blink with the gallery mappings: userName
/// and work email from the UPN, externalId from the mail alias, name, title, phones,
/// department, employee number, company and location. Managers are set by
/// [`crate::tenant::Tenant::prefill`] once ids exist.
pub(crate) fn users(count: usize, seed: u64) -> impl Iterator<Item = UserAttrs> {
    let mut people = PeopleGenerator::new(seed);
    let domain = domain_of(people.company());
    (0..count).map(move |i| {
        let p = people.next_person();
        let upn = format!("{}@{domain}", p.alias);
        UserAttrs {
            external_id: Some(Text::from(p.alias.as_str())),
            name: Some(Box::new(Name::new(&p.given_name, &p.family_name))),
            display_name: Some(Text::from(format!("{} {}", p.given_name, p.family_name))),
            title: Some(Text::from(p.title.as_str())),
            locale: Some(Text::from(p.locale.as_str())),
            // One in fifty is a disabled leaver, as in any real directory.
            active: Some(i % 50 != 49),
            emails: vec![MultiValue {
                primary: Some(true),
                ..MultiValue::typed("work", &upn)
            }],
            phone_numbers: vec![
                MultiValue::typed("work", &p.work_phone),
                MultiValue::typed("mobile", &p.mobile_phone),
            ],
            enterprise: Some(Box::new(Enterprise {
                employee_number: Some(Text::from(p.employee_number.as_str())),
                department: Some(Text::from(p.department.as_str())),
                manager: None,
            })),
            blink: Some(Box::new(BlinkProfile {
                company: Some(Text::from(p.company.as_str())),
                description: None,
                location: Some(Text::from(p.city.as_str())),
            })),
            user_name: Text::from(upn),
            extra: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_users() {
        assert!(users(200, 7).eq(users(200, 7)));
        assert!(!users(5, 7).eq(users(5, 8)));
        let u = &users(1, 7).next().unwrap();
        assert!(u.user_name.ends_with(".example"));
        assert_eq!(u.work_email(), Some(u.user_name.as_str()));
    }

    #[test]
    fn groups_are_seeded_and_draw_members_from_the_users() {
        let ids: Vec<Uuid> = (1..=30).map(Uuid::from_u128).collect();
        let a = groups(15, 3, &ids);
        assert_eq!(a, groups(15, 3, &ids));
        assert_ne!(a, groups(15, 4, &ids));
        assert_eq!(a[0].display_name, "Engineering");
        assert_eq!(a[12].display_name, "Engineering Team 1");
        assert!(
            a.iter()
                .flat_map(|g| &g.members)
                .all(|m| ids.contains(&m.value))
        );
        assert!(a.iter().any(|g| !g.members.is_empty()));
        assert!(groups(3, 3, &[]).iter().all(|g| g.members.is_empty()));
    }
}

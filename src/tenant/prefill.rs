//! Realistic Blink users to prefill a tenant with (`serve --users N --seed S`).

use crate::fakes::{PeopleGenerator, domain_of};
use crate::scim::user::{BlinkProfile, Enterprise, MultiValue, Name, Text, UserAttrs};

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
}

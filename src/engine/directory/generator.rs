//! Seeded realistic directories of any size: people (via `fake`), a manager hierarchy,
//! department groups, and a mix of assignments including Default Access.

use super::model::{DEFAULT_ACCESS_ROLE_ID, DirectoryUser, Group, USER_ROLE_ID};
use super::{Directory, DirectoryError};
use crate::fakes::{PeopleGenerator, Person, rng};
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// What to generate. Percentages are of all users and decided per user from the seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DirectorySpec {
    /// Number of users.
    pub users: usize,
    /// Seed: the same seed gives the same directory.
    pub seed: u64,
    /// Mail domain (derived from the generated company when empty).
    pub domain: String,
    /// Assigned directly with the "Default Access" role (excluded from provisioning).
    pub default_access_percent: u32,
    /// Assigned through the "Blink Users" group instead of directly.
    pub group_assigned_percent: u32,
    /// Not assigned at all.
    pub unassigned_percent: u32,
    /// With `accountEnabled` false.
    pub disabled_percent: u32,
    /// Create one group per department (members, not assigned).
    pub department_groups: bool,
    /// Each user reports to an earlier one, this many reports per manager (0: no managers).
    pub reports_per_manager: usize,
}

impl Default for DirectorySpec {
    fn default() -> Self {
        DirectorySpec {
            users: 100,
            seed: 1,
            domain: String::new(),
            default_access_percent: 10,
            group_assigned_percent: 10,
            unassigned_percent: 5,
            disabled_percent: 2,
            department_groups: true,
            reports_per_manager: 8,
        }
    }
}

/// The name of the group generated directories assign through.
pub(crate) const BLINK_USERS_GROUP: &str = "Blink Users";

/// The directory user of a generated person.
fn directory_user(
    p: Person,
    object_id: String,
    domain: &str,
    manager: Option<String>,
    account_enabled: bool,
) -> DirectoryUser {
    let upn = format!("{}@{domain}", p.alias);
    DirectoryUser {
        object_id,
        user_principal_name: upn.clone(),
        mail: Some(upn),
        mail_nickname: Some(p.alias),
        display_name: Some(format!("{} {}", p.given_name, p.family_name)),
        given_name: Some(p.given_name),
        surname: Some(p.family_name),
        job_title: Some(p.title),
        department: Some(p.department),
        employee_id: Some(p.employee_number),
        company_name: Some(p.company),
        office_location: Some(p.city),
        mobile_phone: Some(p.mobile_phone),
        business_phones: vec![p.work_phone],
        preferred_language: Some(p.locale),
        manager,
        account_enabled,
        extension_attributes: Default::default(),
    }
}

/// Generates users, groups and assignments into `dir`.
pub(crate) fn generate_into(
    dir: &mut Directory,
    spec: &DirectorySpec,
) -> Result<(), DirectoryError> {
    let mut people = PeopleGenerator::new(spec.seed);
    let domain = if spec.domain.is_empty() {
        crate::fakes::domain_of(people.company())
    } else {
        spec.domain.clone()
    };
    let mut ids_rng = rng(spec.seed, 2);
    let mut mix_rng = rng(spec.seed, 3);
    let mut ids: Vec<String> = Vec::with_capacity(spec.users);
    let mut via_group = Vec::new();
    let blink_group = dir.add_group(Group {
        object_id: String::new(),
        display_name: BLINK_USERS_GROUP.into(),
        members: vec![],
    })?;
    let mut departments: Vec<(String, Vec<String>)> = Vec::new();
    for i in 0..spec.users {
        let p = people.next_person();
        let object_id = uuid::Builder::from_random_bytes(ids_rng.random())
            .into_uuid()
            .to_string();
        let manager = match spec.reports_per_manager {
            0 => None,
            n => i
                .checked_sub(1)
                .map(|j| j / n)
                .and_then(|m| ids.get(m).cloned()),
        };
        let roll = mix_rng.random_range(0..100u32);
        let disabled = mix_rng.random_range(0..100u32) < spec.disabled_percent;
        let department = p.department.clone();
        let user = directory_user(p, object_id.clone(), &domain, manager, !disabled);
        dir.add_user(user)?;
        match departments.iter_mut().find(|(d, _)| *d == department) {
            Some((_, members)) => members.push(object_id.clone()),
            None => departments.push((department, vec![object_id.clone()])),
        }
        let (da, grp, un) = (
            spec.default_access_percent,
            spec.group_assigned_percent,
            spec.unassigned_percent,
        );
        if roll < da {
            dir.assign(&object_id, false, DEFAULT_ACCESS_ROLE_ID)?;
        } else if roll < da + grp {
            via_group.push(object_id.clone());
        } else if roll >= da + grp + un {
            dir.assign(&object_id, false, USER_ROLE_ID)?;
        }
        ids.push(object_id);
    }
    for id in &via_group {
        dir.add_member(&blink_group, id)?;
    }
    dir.assign(&blink_group, true, USER_ROLE_ID)?;
    if spec.department_groups {
        departments.sort();
        for (name, members) in departments {
            dir.add_group(Group {
                object_id: String::new(),
                display_name: name,
                members,
            })?;
        }
    }
    Ok(())
}

/// A new directory generated from `spec`.
pub fn generate(spec: &DirectorySpec) -> Result<Directory, DirectoryError> {
    let mut dir = Directory::new();
    generate_into(&mut dir, spec)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_directory_with_the_requested_mix() {
        let spec = DirectorySpec {
            users: 2000,
            seed: 5,
            ..Default::default()
        };
        let a = generate(&spec).unwrap();
        let b = generate(&spec).unwrap();
        let upns = |d: &Directory| d.users().iter().map(|r| r.user.clone()).collect::<Vec<_>>();
        assert_eq!(upns(&a), upns(&b));
        let default_access = a.users().iter().filter(|r| {
            let asg = a.assignments_of(&r.user.object_id);
            !asg.is_empty() && asg.iter().all(|x| x.role.default_access)
        });
        let n = default_access.count();
        assert!((150..250).contains(&n), "about 10% Default Access: {n}");
        let via_group = a
            .users()
            .iter()
            .filter(|r| {
                a.assignments_of(&r.user.object_id)
                    .iter()
                    .any(|x| x.via_group.is_some())
            })
            .count();
        assert!((150..250).contains(&via_group), "{via_group}");
        let managed = a
            .users()
            .iter()
            .filter(|r| r.user.manager.is_some())
            .count();
        assert_eq!(managed, 1999);
        assert!(a.group("Engineering").is_some());
    }
}

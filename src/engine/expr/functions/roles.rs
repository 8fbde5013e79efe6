//! Role functions (ref §6.2): SingleAppRoleAssignment, AppRoleAssignmentsComplex,
//! AssertiveAppRoleAssignmentsComplex. They read `Source::app_role_assignments`.

use std::collections::HashSet;

use super::super::catalog::Function;
use super::super::eval::Ctx;
use super::super::value::{RoleStyle, RoleValue, Value};

/// The user's roles as the role function `function` provisions them. An app role assigned more
/// than once (e.g. directly and through a group) is sent once, first occurrence kept.
///
/// - Single: the first assignment, `primary: true`; Null without assignments. ref §6.2: "Make
///   sure multiple roles aren't assigned to a user. There's no guarantee which role is
///   provisioned" — the first in the source's stable order is chosen.
/// - Complex / Assertive: every assignment, `primary: false` ("All roles are provisioned as
///   primary = false"); an empty list when there are none, which for the assertive form means
///   "replace with nothing".
pub(super) fn evaluate(ctx: &mut Ctx<'_, '_>, function: Function) -> Value {
    let Some(style) = RoleStyle::of(function) else {
        return Value::Null;
    };
    let mut roles: Vec<RoleValue> = Vec::new();
    let mut seen = HashSet::new();
    for assignment in ctx.env.source.app_role_assignments() {
        if !seen.insert(assignment.id.clone()) {
            continue;
        }
        roles.push(RoleValue {
            assignment,
            primary: style == RoleStyle::Single,
            style,
        });
    }
    match style {
        RoleStyle::Single => {
            roles.truncate(1);
            if roles.is_empty() {
                Value::Null
            } else {
                Value::Roles(roles)
            }
        }
        RoleStyle::Complex | RoleStyle::Assertive => Value::Roles(roles),
    }
}

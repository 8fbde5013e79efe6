//! The kind of object a pipeline provisions: its SCIM endpoint, its mappings, the attributes it
//! is matched by and the reference attribute exported after every object exists. Users today;
//! groups (with `members` as their reference) slot in beside them.

use crate::engine::log::Identity;
use crate::engine::mapping::{self, AttributeMapping, TargetKind};
use crate::engine::wire;

/// A kind of provisioned object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResourceKind {
    /// A user, at `/Users`.
    User,
}

impl ResourceKind {
    /// The name logs use ("User").
    pub(crate) fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
        }
    }

    /// The SCIM endpoint.
    pub(crate) fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
        }
    }
}

impl std::fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A kind with the mappings that shape it.
#[derive(Clone, Copy)]
pub(crate) struct Resource<'a> {
    pub kind: ResourceKind,
    pub mappings: &'a [AttributeMapping],
}

impl<'a> Resource<'a> {
    /// The path of one target object.
    pub(crate) fn path(&self, id: &str) -> String {
        format!("{}/{id}", self.kind.endpoint())
    }

    /// The query for objects whose `attribute` equals `value`.
    pub(crate) fn query(&self, attribute: &str, value: &str) -> String {
        format!(
            "{}?{}",
            self.kind.endpoint(),
            wire::filter_query(attribute, value)
        )
    }

    /// A target identity of this kind.
    pub(crate) fn identity(&self, id: &str, display_name: &str) -> Identity {
        Identity {
            id: id.to_string(),
            display_name: display_name.to_string(),
            identity_type: self.kind.name().into(),
            details: Default::default(),
        }
    }

    /// The matching attributes in precedence order (CUSTOM).
    pub(crate) fn matching(&self) -> Vec<&'a AttributeMapping> {
        mapping::matching_order(self.mappings)
    }

    /// The target attribute exported as a reference (the manager), if mapped.
    pub(crate) fn reference_attribute(&self) -> Option<&'a str> {
        self.mappings
            .iter()
            .find(|m| m.kind == TargetKind::Reference)
            .map(|m| m.target.as_str())
    }
}

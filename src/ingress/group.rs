//! Ingress groups: which group an Ingress belongs to (`group.name`, else its own `namespace/name`), its
//! place in the group (`group.order`, then `namespace/name`) and the finalizer it carries.

use k8s_openapi::api::networking::v1::Ingress;
use tgsync_actors::stack::{StackId, StackKind};

use super::annotations::{values, AnnotationError, Annotations, Problem};
use super::key::IngressKey;

/// The longest explicit group name.
pub const MAX_GROUP_NAME: usize = 63;
/// Finalizer of an implicit group's member.
pub const IMPLICIT_FINALIZER: &str = "ingress.k8s.aws/resources";
/// Prefix of an explicit group's finalizer (`group.ingress.k8s.aws/<group>`).
pub const EXPLICIT_FINALIZER_PREFIX: &str = "group.ingress.k8s.aws/";

/// Which group an Ingress is in.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GroupId {
    /// Named by `group.name`.
    Explicit(String),
    /// An Ingress without `group.name` is a group of its own.
    Implicit(IngressKey),
}

impl GroupId {
    /// The group of `ing`; a `group.name` that is not a valid name is an error.
    pub fn of(ing: &Ingress) -> Result<Self, AnnotationError> {
        let a = Annotations::new(ing.metadata.annotations.as_ref());
        Ok(match a.parse("group.name", group_name)? {
            Some(name) => GroupId::Explicit(name),
            None => GroupId::Implicit(IngressKey::of(ing)),
        })
    }

    /// The finalizer its members carry.
    pub fn finalizer(&self) -> String {
        match self {
            GroupId::Explicit(name) => format!("{EXPLICIT_FINALIZER_PREFIX}{name}"),
            GroupId::Implicit(_) => IMPLICIT_FINALIZER.to_owned(),
        }
    }

    /// Its stack: the group name, or `namespace/name`.
    pub fn stack_id(&self) -> StackId {
        StackId {
            kind: StackKind::Ingress,
            id: self.to_string(),
        }
    }
}

impl std::fmt::Display for GroupId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GroupId::Explicit(name) => f.write_str(name),
            GroupId::Implicit(key) => key.fmt(f),
        }
    }
}

/// `^([a-z0-9][-a-z0-9.]*)?[a-z0-9]$`, at most 63 characters.
pub(crate) fn group_name(raw: &str) -> Result<String, Problem> {
    if raw.len() > MAX_GROUP_NAME {
        return Err(Problem::TooLong {
            len: raw.len(),
            max: MAX_GROUP_NAME,
        });
    }
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = raw.as_bytes();
    let ok = match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => {
            edge(first) && edge(last) && bytes.iter().all(|&b| edge(b) || b == b'-' || b == b'.')
        }
        _ => false,
    };
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(Problem::Invalid(format!(
            "{raw:?} is not a group name (lower-case letters, digits, '-' and '.', starting and ending \
             with a letter or digit)"
        )))
    }
}

/// `group.order`: an integer in -1000..=1000, default 0.
pub fn order_of(ing: &Ingress) -> Result<i32, AnnotationError> {
    let a = Annotations::new(ing.metadata.annotations.as_ref());
    let order = a.int("group.order", -1000, 1000)?.unwrap_or(0);
    // The range check above keeps it within i32.
    i32::try_from(order).map_err(|_| {
        values::error(
            "group.order",
            Problem::OutOfRange {
                value: order,
                min: -1000,
                max: 1000,
            },
        )
    })
}

/// A member in its place, with its `group.order` or why it could not be read.
#[derive(Debug)]
pub struct Placed<'a> {
    /// The member.
    pub ingress: &'a Ingress,
    /// Its `group.order`.
    pub order: Result<i32, AnnotationError>,
}

/// Puts a group's members in order: `group.order`, then `namespace/name`. A member whose order cannot be
/// read sorts as order 0; it is held back, and that is where its previous rules stay.
pub fn in_order<'a>(members: impl IntoIterator<Item = &'a Ingress>) -> Vec<Placed<'a>> {
    let mut keyed: Vec<_> = members
        .into_iter()
        .map(|ingress| {
            let order = order_of(ingress);
            let sort = (*order.as_ref().unwrap_or(&0), IngressKey::of(ingress));
            (sort, Placed { ingress, order })
        })
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, placed)| placed).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ing(ns: &str, name: &str, annotations: serde_json::Value) -> Ingress {
        serde_json::from_value(json!({
            "metadata": {"namespace": ns, "name": name, "annotations": annotations}
        }))
        .unwrap()
    }

    #[test]
    fn explicit_and_implicit_groups_and_their_finalizers() {
        let explicit = ing(
            "a",
            "web",
            json!({"alb.ingress.kubernetes.io/group.name": "shop.prod-1"}),
        );
        let g = GroupId::of(&explicit).unwrap();
        assert_eq!(g, GroupId::Explicit("shop.prod-1".into()));
        assert_eq!(g.finalizer(), "group.ingress.k8s.aws/shop.prod-1");
        assert_eq!(g.stack_id().id, "shop.prod-1");
        let implicit = ing("a", "web", json!({}));
        let g = GroupId::of(&implicit).unwrap();
        assert_eq!(g.to_string(), "a/web");
        assert_eq!(g.finalizer(), "ingress.k8s.aws/resources");
    }

    #[test]
    fn bad_group_names_are_refused() {
        let long = "a".repeat(64);
        for bad in [
            "",
            "Shop",
            "-shop",
            "shop-",
            "shop.",
            "sh_op",
            "shop/x",
            long.as_str(),
        ] {
            let i = ing(
                "a",
                "web",
                json!({"alb.ingress.kubernetes.io/group.name": bad}),
            );
            let err = GroupId::of(&i).unwrap_err();
            assert_eq!(
                err.annotation, "alb.ingress.kubernetes.io/group.name",
                "{bad}"
            );
        }
        for good in ["a", "0", "a.b-c", &"a".repeat(63)] {
            let i = ing(
                "a",
                "web",
                json!({"alb.ingress.kubernetes.io/group.name": good}),
            );
            assert!(GroupId::of(&i).is_ok(), "{good}");
        }
    }

    #[test]
    fn members_sort_by_order_then_namespace_and_name() {
        let order = |o: &str| json!({"alb.ingress.kubernetes.io/group.order": o});
        let a = ing("b", "x", order("-5"));
        let b = ing("a", "z", json!({}));
        let c = ing("b", "a", json!({}));
        let d = ing("a", "a", order("1000"));
        let bad = ing("a", "bad", order("1001"));
        let worse = ing("a", "worse", order("first"));
        let placed = in_order([&d, &c, &bad, &b, &a, &worse]);
        let names: Vec<_> = placed
            .iter()
            .map(|p| (IngressKey::of(p.ingress).to_string(), p.order.is_ok()))
            .collect();
        let expect = [
            ("b/x", true),
            ("a/bad", false),
            ("a/worse", false),
            ("a/z", true),
            ("b/a", true),
            ("a/a", true),
        ];
        let expect: Vec<_> = expect
            .iter()
            .map(|(k, ok)| ((*k).to_owned(), *ok))
            .collect();
        assert_eq!(names, expect);
        let err = placed[1].order.as_ref().unwrap_err();
        assert_eq!(err.annotation, "alb.ingress.kubernetes.io/group.order");
    }
}

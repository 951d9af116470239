//! Proptest strategies for bad JSON input: arbitrary values, values of the wrong type or out of range, and
//! valid documents with one value replaced. Shared by the decoders' and the binding checks' property tests.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Map, Number, Value};

/// Keys the decoders look for, so arbitrary objects reach their code paths and not only the skip path.
const KEYS: &[&str] = &[
    "type",
    "object",
    "metadata",
    "name",
    "namespace",
    "uid",
    "generation",
    "resourceVersion",
    "labels",
    "kubernetes.io/service-name",
    "addressType",
    "endpoints",
    "addresses",
    "conditions",
    "ready",
    "serving",
    "terminating",
    "zone",
    "targetRef",
    "ports",
    "port",
    "spec",
    "status",
    "readinessGates",
    "conditionType",
    "podIP",
    "code",
    "reason",
    "serviceRef",
    "targetType",
    "targetGroupARN",
    "targetGroupName",
    "nodeSelector",
    "ipAddressType",
];

/// Strings that mean something to some decoder, or nearly do.
const STRINGS: &[&str] = &[
    "",
    "ADDED",
    "MODIFIED",
    "DELETED",
    "BOOKMARK",
    "ERROR",
    "IPv4",
    "IPv6",
    "FQDN",
    "10.0.0.1",
    "fd00::1",
    "999.1.1.1",
    "10.0.0.1/24",
    "fe80::1%eth0",
    "::ffff:10.0.0.1",
    "target-health.elbv2.k8s.aws/",
    "target-health.elbv2.k8s.aws/web",
    "True",
    "ip",
    "instance",
    "ipv6",
    "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1",
    "arn:::::",
    "\u{0}\u{feff}é\u{10ffff}",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => ".{0,8}",
    ]
}

fn number() -> impl Strategy<Value = Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        prop::sample::select(&[0i64, 1, -1, 80, 65535, 65536, 70000, 1 << 31, -(1 << 31)][..])
            .prop_map(Number::from),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number().prop_map(Value::Number),
        prop::sample::select(STRINGS).prop_map(|s| Value::String(s.to_owned())),
        ".{0,16}".prop_map(Value::String),
    ]
}

/// Any JSON value, a few levels deep, its object keys mostly the ones the decoders read.
pub fn any_json() -> BoxedStrategy<Value> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..6)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
        .boxed()
}

/// `value` wrapped in `depth` arrays or objects.
fn nested(depth: usize, in_objects: bool, value: Value) -> Value {
    (0..depth).fold(value, |v, _| {
        if in_objects {
            // Built directly: `json!` would re-serialize the whole value at each level.
            Value::Object(Map::from_iter([("a".to_owned(), v)]))
        } else {
            Value::Array(vec![v])
        }
    })
}

// Strategies are boxed: their value trees nest deep enough to overflow a test thread's stack unboxed.

/// A value no decoder expects where it is put: the wrong type, out of range, unparseable, huge or deeply
/// nested (past serde_json's recursion limit of 128, too).
pub fn nasty() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => any_json(),
        1 => (0usize..5_000, leaf())
            .prop_map(|(n, v)| Value::Array(vec![v; n])),
        1 => (prop::sample::select(&[1usize, 100, 127, 128, 129, 1_000][..]), any::<bool>(), leaf())
            .prop_map(|(depth, in_objects, v)| nested(depth, in_objects, v)),
        1 => "[0-9a-f:.%/]{0,64}".prop_map(Value::String),
        1 => (0usize..20_000).prop_map(|n| Value::String("x".repeat(n))),
    ]
    .boxed()
}

/// A walk into a document: at each step, the index of the member or element to enter.
pub type Path = Vec<Index>;

/// A path of up to `len` steps.
pub fn path(len: usize) -> impl Strategy<Value = Path> {
    prop::collection::vec(any::<Index>(), 0..=len)
}

/// Replaces the value `path` leads to (it stops early at a scalar or an empty container) with `with`.
pub fn replace_at(node: &mut Value, path: &[Index], with: Value) {
    let Some((step, rest)) = path.split_first() else {
        *node = with;
        return;
    };
    match node {
        Value::Object(m) if !m.is_empty() => {
            let i = step.index(m.len());
            if let Some(child) = m.values_mut().nth(i) {
                replace_at(child, rest, with);
            }
        }
        Value::Array(a) if !a.is_empty() => replace_at(step.get_mut(a), rest, with),
        _ => *node = with,
    }
}

/// `cases` cases, failures not written to disk (the tests run from a read-only checkout too).
pub fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

//! The EndpointSlice label naming its Service, in a module of its own so that both the metadata decoder (`de`)
//! and `SlimEndpointSlice` depend on it and neither on the other.

/// The label naming the Service a slice belongs to.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

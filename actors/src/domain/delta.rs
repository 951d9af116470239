use super::Target;

/// The two target calls whose budget the hot path spends.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Action {
    /// DeregisterTargets; goes first when the budget is short.
    Deregister,
    /// RegisterTargets.
    Register,
}

impl Action {
    /// The API name, as it appears in ledgers and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Register => "RegisterTargets",
            Action::Deregister => "DeregisterTargets",
        }
    }
}

/// One endpoint occurrence of a target gained or lost by a source. A target is wanted while any remain, so an
/// endpoint moving between slices (one `Add`, one `Remove`) changes nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Delta {
    /// A ready endpoint of the target appeared.
    Add(Target),
    /// A ready endpoint of the target went away (gone, not ready or terminating).
    Remove(Target),
}

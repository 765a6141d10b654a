//! What an endpoint offers: its flows and the params of its auth types.

use serde_json::Value;

use crate::{AuthFlow, AuthParams, AuthType, JsonObject};

/// What an endpoint offers: its flows and the params of its auth types.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Policy {
    /// The flows a client may complete; any one authorises the request.
    pub flows: Vec<AuthFlow>,
    /// The `params` of the 401 body, by auth type.
    pub params: JsonObject,
}

impl Policy {
    /// A policy offering these flows, each a list of stages.
    pub fn new(flows: impl IntoIterator<Item = Vec<AuthType>>) -> Self {
        Policy { flows: flows.into_iter().map(AuthFlow::new).collect(), params: JsonObject::new() }
    }

    /// The same policy advertising `params` for `auth_type`, as raw JSON
    /// (for an auth type the model has no params type for).
    pub fn with_params(mut self, auth_type: AuthType, params: Value) -> Self {
        self.params.insert(auth_type.as_str().to_owned(), params);
        self
    }

    /// The same policy advertising typed params ([`TermsParams`](crate::TermsParams),
    /// [`OAuthParams`](crate::OAuthParams), …) for their auth type.
    pub fn with_auth_params<P: AuthParams>(self, params: &P) -> Result<Self, serde_json::Error> {
        let value = serde_json::to_value(params)?;
        Ok(self.with_params(AuthType::from(P::AUTH_TYPE), value))
    }

    /// Every stage of every flow, once, in order of first appearance.
    pub fn stages(&self) -> Vec<AuthType> {
        let mut stages: Vec<AuthType> = Vec::new();
        for stage in self.flows.iter().flat_map(|f| &f.stages) {
            if !stages.contains(stage) {
                stages.push(stage.clone());
            }
        }
        stages
    }

    /// Whether `stage` is the next one of some flow, given what is completed:
    /// the flow's earlier stages are all completed and it is not.
    pub(crate) fn is_next(&self, completed: &[AuthType], stage: &AuthType) -> bool {
        self.flows.iter().any(|flow| {
            let done = flow.stages.iter().take_while(|s| completed.contains(s)).count();
            flow.stages.get(done) == Some(stage)
        })
    }

    /// Whether the completed stages make up a whole flow.
    pub(crate) fn is_complete(&self, completed: &[AuthType]) -> bool {
        self.flows.iter().any(|flow| flow.stages.iter().all(|s| completed.contains(s)))
    }
}

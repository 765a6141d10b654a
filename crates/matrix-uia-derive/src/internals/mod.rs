//! Reading the input: attributes, the checked AST, and error collection.
//! Nothing here emits code.

pub mod ast;
pub mod attr;
pub mod ctxt;
pub mod symbol;

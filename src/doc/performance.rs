//! # Performance: where the time goes in a call, and which layer to use
//!
//! (Filled in with measurements below.)

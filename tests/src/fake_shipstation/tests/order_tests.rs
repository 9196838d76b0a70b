//! Order endpoint tests.

//! End-to-end tests of `tgsync run` against the local test bed (`deploy/local/testbed`); feature `testbed`.

//! The ELBv2 model, churn scenarios, the baseline strategy and reports, for benches, `tgsync simulate` and load tests.

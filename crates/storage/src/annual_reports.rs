//! Annual reports (年度报告). (Being written.)

//! Permits and licence verification through the API. (Being written.)

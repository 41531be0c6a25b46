//! The models built into the binary, from `models/<name>/model.json` (written by `tenor train`; see each
//! folder's `MODEL_CARD.md`). A test checks that both load.

/// The stance model (`models/stance`).
pub const STANCE: &[u8] = include_bytes!("../../../models/stance/model.json");
/// The claim model (`models/claim`).
pub const CLAIM: &[u8] = include_bytes!("../../../models/claim/model.json");

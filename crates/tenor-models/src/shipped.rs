//! The models built into the binary, from `models/<name>/model.json` (written by `tenor train`; see each
//! folder's `MODEL_CARD.md`). A test checks that they load.

/// The per-target stance model (`models/stance`): stance toward a marked mention.
pub const STANCE: &[u8] = include_bytes!("../../../models/stance/model.json");
/// The sentence stance model (`models/sentence_stance`): the stance of a whole sentence, no mention marked.
pub const SENTENCE_STANCE: &[u8] = include_bytes!("../../../models/sentence_stance/model.json");
/// The claim model (`models/claim`).
pub const CLAIM: &[u8] = include_bytes!("../../../models/claim/model.json");

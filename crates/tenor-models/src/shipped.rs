//! The models built into the binary, from `models/<name>/model.json` (written by `tenor train`; see each
//! folder's `MODEL_CARD.md`). A test checks that they load.

/// The per-target stance model (`models/stance`): stance toward a marked mention.
pub const STANCE: &[u8] = include_bytes!("../../../models/stance/model.json");
/// The sentence stance model (`models/sentence_stance`): the stance of a whole sentence, no mention marked.
pub const SENTENCE_STANCE: &[u8] = include_bytes!("../../../models/sentence_stance/model.json");
/// The claim model (`models/claim`).
pub const CLAIM: &[u8] = include_bytes!("../../../models/claim/model.json");

/// The encoder tier's heads (`models/encoder_*/head.json`, written by `tenor train <kind> --tier encoder`):
/// per-target stance, sentence stance and claim over all-MiniLM-L6-v2 vectors.
pub const ENCODER_STANCE: &[u8] = include_bytes!("../../../models/encoder_stance/head.json");
pub const ENCODER_SENTENCE_STANCE: &[u8] = include_bytes!("../../../models/encoder_sentence_stance/head.json");
pub const ENCODER_CLAIM: &[u8] = include_bytes!("../../../models/encoder_claim/head.json");

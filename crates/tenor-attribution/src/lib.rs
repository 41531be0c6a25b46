//! Attribution (speaker, cue, content, quote) and hedging, from token patterns.

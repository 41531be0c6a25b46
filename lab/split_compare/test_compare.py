"""The metric of compare.py on the cases of tenor-eval's own unit tests (crates/tenor-eval/src/split_eval.rs),
so that the two implementations are checked against the same expectations. Standard library only:
`python3 -m unittest discover lab/split_compare` from the repository root."""

import unittest

from compare import boundaries, char_to_byte_ends, prf, score


def doc(text, gold, pred):
    return {"text": text, "gold_ends": gold, "tenor_ends": pred}


class MetricTest(unittest.TestCase):
    def test_boundaries_ignore_trailing_space_and_the_document_end(self):
        self.assertEqual(boundaries("One. Two.  \n\nThree.".encode(), [5, 11, 19]), {4, 9})

    def test_scores_count_missed_and_spurious_boundaries(self):
        d = doc("Dr. Smith came. He left. Bye.", [15, 24, 29], [3, 15, 29])
        all_c, _ = score([d], lambda d: d["tenor_ends"])
        self.assertEqual(all_c, [2, 2, 1])  # gold, predicted, correct
        self.assertAlmostEqual(prf(all_c)[2], 50.0)

    def test_paragraph_breaks_are_counted_apart(self):
        all_c, par_c = score([doc("Title\n\nOne. Two.", [5, 11, 16], [5, 16])], lambda d: d["tenor_ends"])
        self.assertEqual(all_c, [2, 1, 1])
        self.assertEqual(par_c, [1, 0, 0])

    def test_in_paragraph_counts_keep_spurious_and_correct_boundaries_apart(self):
        all_c, par_c = score([doc("A b. C d.\n\nE f.", [4, 9, 15], [1, 4, 9, 15])], lambda d: d["tenor_ends"])
        self.assertEqual(par_c, [1, 2, 1])
        self.assertEqual(all_c, [2, 3, 2])

    def test_code_points_become_utf8_byte_offsets(self):
        self.assertEqual(char_to_byte_ends("Caf\u00e9. \u00c9t\u00e9.", [5, 10]), [6, 13])


if __name__ == "__main__":
    unittest.main()

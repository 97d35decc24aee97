//! How the rows of a generation batch are laid out in one rectangular model input.
//!
//! Each row holds its real tokens (prompt, then generated). Rows of different lengths are padded
//! on the side the model expects (`padding_side` in config.json):
//! - `left` (standard-ops graphs with `position_ids`): `[pad.., tokens..]`, mask `[0.., 1..]`;
//!   every row's newest token is at the last column.
//! - `right` (GroupQueryAttention graphs, which read each row's length from the mask):
//!   `[tokens.., pad..]`, mask `[1.., 0..]`; row `b`'s newest token is at column `len_b - 1`.
//!
//! Positions count real tokens only, so both layouts give every token the position it has in
//! its own row.

use serde::{Deserialize, Serialize};

/// Which side of a row the padding goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaddingSide {
    /// `[pad.., tokens..]`: standard-ops graphs with `position_ids` (the default).
    #[default]
    Left,
    /// `[tokens.., pad..]`: GroupQueryAttention graphs, which read each row's length from the mask.
    Right,
}

/// One model input: `ids` and `pos` are `[rows, seq]`, `mask` is `[rows, width]` (flattened).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub ids: Vec<u32>,
    pub seq: usize,
    pub mask: Vec<i64>,
    pub width: usize,
    pub pos: Vec<i64>,
    /// Per row, the index within `seq` of the position whose logits predict its next token.
    pub pick: Vec<usize>,
}

/// The token rows of a batch.
#[derive(Debug, Clone)]
pub(crate) struct Rows {
    pub tokens: Vec<Vec<u32>>,
    side: PaddingSide,
    pad: u32,
}

impl Rows {
    pub(crate) fn new(prompts: Vec<Vec<u32>>, side: PaddingSide, pad: u32) -> Self {
        Self { tokens: prompts, side, pad }
    }

    fn width(&self) -> usize {
        self.tokens.iter().map(Vec::len).max().unwrap_or(0)
    }

    fn mask_row(&self, len: usize, width: usize) -> impl Iterator<Item = i64> {
        let (ones, zeros) = (len, width - len);
        let (first, first_n, second, second_n) = match self.side {
            PaddingSide::Left => (0, zeros, 1, ones),
            PaddingSide::Right => (1, ones, 0, zeros),
        };
        std::iter::repeat_n(first, first_n).chain(std::iter::repeat_n(second, second_n))
    }

    /// Every row's whole sequence (the prompt pass, or a step without cache).
    pub(crate) fn full(&self) -> Block {
        let width = self.width();
        let mut block = Block {
            ids: Vec::with_capacity(self.tokens.len() * width),
            seq: width,
            mask: Vec::with_capacity(self.tokens.len() * width),
            width,
            pos: Vec::with_capacity(self.tokens.len() * width),
            pick: Vec::with_capacity(self.tokens.len()),
        };
        for row in &self.tokens {
            let pad = std::iter::repeat_n(self.pad, width - row.len());
            let real_pos = 0..row.len() as i64;
            // Padding positions are never attended to; 0 keeps them in range.
            let pad_pos = std::iter::repeat_n(0i64, width - row.len());
            match self.side {
                PaddingSide::Left => {
                    block.ids.extend(pad.chain(row.iter().copied()));
                    block.pos.extend(pad_pos.chain(real_pos));
                    block.pick.push(width - 1);
                }
                PaddingSide::Right => {
                    block.ids.extend(row.iter().copied().chain(pad));
                    block.pos.extend(real_pos.chain(pad_pos));
                    block.pick.push(row.len() - 1);
                }
            }
            block.mask.extend(self.mask_row(row.len(), width));
        }
        block
    }

    /// The newest token of every row, to run through the cache that holds the rest.
    pub(crate) fn last(&self) -> Block {
        self.tail(1)
    }

    /// The newest `n` tokens of every row (each row must hold at least `n`), to run through the
    /// cache that holds the rest.
    pub(crate) fn tail(&self, n: usize) -> Block {
        let width = self.width();
        let rows = self.tokens.len();
        let mut block = Block {
            ids: Vec::with_capacity(rows * n),
            seq: n,
            mask: Vec::with_capacity(rows * width),
            width,
            pos: Vec::with_capacity(rows * n),
            pick: vec![n - 1; rows],
        };
        for row in &self.tokens {
            let start = row.len() - n;
            block.ids.extend(&row[start..]);
            block.pos.extend(start as i64..row.len() as i64);
            block.mask.extend(self.mask_row(row.len(), width));
        }
        block
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(side: PaddingSide) -> Rows {
        Rows::new(vec![vec![10, 11, 12], vec![20]], side, 0)
    }

    #[test]
    fn left_padding_puts_every_newest_token_last() {
        let b = rows(PaddingSide::Left).full();
        assert_eq!((b.seq, b.width), (3, 3));
        assert_eq!(b.ids, [10, 11, 12, 0, 0, 20]);
        assert_eq!(b.mask, [1, 1, 1, 0, 0, 1]);
        assert_eq!(b.pos, [0, 1, 2, 0, 0, 0]);
        assert_eq!(b.pick, [2, 2]);
    }

    #[test]
    fn right_padding_keeps_tokens_at_their_positions() {
        let b = rows(PaddingSide::Right).full();
        assert_eq!(b.ids, [10, 11, 12, 20, 0, 0]);
        assert_eq!(b.mask, [1, 1, 1, 1, 0, 0]);
        assert_eq!(b.pos, [0, 1, 2, 0, 0, 0]);
        assert_eq!(b.pick, [2, 0]);
    }

    #[test]
    fn decode_step_masks_follow_each_row_length() {
        for side in [PaddingSide::Left, PaddingSide::Right] {
            let mut r = rows(side);
            r.tokens[0].push(13);
            r.tokens[1].push(21);
            let b = r.last();
            assert_eq!((b.seq, b.width), (1, 4));
            assert_eq!(b.ids, [13, 21]);
            assert_eq!(b.pos, [3, 1]);
            assert_eq!(b.pick, [0, 0]);
            let expect: &[i64] = match side {
                PaddingSide::Left => &[1, 1, 1, 1, 0, 0, 1, 1],
                PaddingSide::Right => &[1, 1, 1, 1, 1, 1, 0, 0],
            };
            assert_eq!(b.mask, expect, "{side:?}");
        }
    }

    #[test]
    fn a_tail_block_carries_its_positions() {
        let b = Rows::new(vec![vec![10, 11, 12, 13]], PaddingSide::Right, 0).tail(3);
        assert_eq!((b.seq, b.width), (3, 4));
        assert_eq!(b.ids, [11, 12, 13]);
        assert_eq!(b.pos, [1, 2, 3]);
        assert_eq!(b.mask, [1, 1, 1, 1]);
        assert_eq!(b.pick, [2]);
    }
}

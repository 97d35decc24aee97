//! The KV cache between decoding steps.
//!
//! Two strategies with the same results (tests compare them token for token):
//! - [`KvCache::Growing`]: the model's `present.*` outputs become the next step's
//!   `past_key_values.*` inputs, moved without a copy on govai's side. Works for every
//!   optimum-layout model, but inside ONNX Runtime every step writes the whole cache again
//!   (Concat, or GroupQueryAttention's copy of past into a fresh present), so a step costs
//!   O(context) in memory traffic on top of the attention itself.
//! - [`KvCache::Shared`]: for GroupQueryAttention graphs (`kv_cache_shareable` in config.json),
//!   one buffer of `capacity` positions per cache tensor is bound through IoBinding as both the
//!   past input and the present output. onnxruntime sees the same address on both sides and
//!   writes only the new positions in place. Buffers grow by doubling (one copy each time) when a
//!   sequence outgrows them, so the amortised cost per step is O(1).

use ort::session::{IoBinding, Session};
use ort::value::{DynValue, Tensor};

/// Cache tensor geometry: `[batch, kv_heads, positions, head_dim]`, one per (past, present) name pair.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KvShape {
    pub batch: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
}

pub(crate) enum KvCache {
    Growing(Vec<DynValue>),
    Shared(Box<SharedKv>),
}

impl KvCache {
    /// Empty past values (zero positions) for the growing strategy.
    pub(crate) fn growing(pairs: usize, shape: KvShape) -> ort::Result<Self> {
        let dims = [shape.batch as i64, shape.kv_heads as i64, 0, shape.head_dim as i64];
        let past = (0..pairs)
            .map(|_| Tensor::<f32>::from_array((dims, Vec::<f32>::new())).map(Tensor::into_dyn))
            .collect::<ort::Result<_>>()?;
        Ok(Self::Growing(past))
    }

    /// In-place buffers of `capacity` positions bound as both past and present.
    pub(crate) fn shared(
        session: &Session,
        names: &[(String, String)],
        shape: KvShape,
        capacity: usize,
    ) -> ort::Result<Self> {
        let binding = session.create_binding()?;
        let mut kv = SharedKv { binding, buffers: Vec::new(), names: names.to_vec(), shape, capacity: 0 };
        kv.allocate(session, capacity)?;
        Ok(Self::Shared(Box::new(kv)))
    }
}

pub(crate) struct SharedKv {
    pub binding: IoBinding,
    buffers: Vec<Tensor<f32>>,
    names: Vec<(String, String)>,
    shape: KvShape,
    capacity: usize,
}

impl SharedKv {
    /// Bind this step's inputs. The logits output is re-bound to the device every step:
    /// onnxruntime would otherwise reuse the previous step's logits tensor, whose shape differs
    /// between the prompt pass and decoding.
    pub(crate) fn bind_step(&mut self, session: &Session, inputs: &[(&str, &DynValue)]) -> ort::Result<()> {
        for (name, value) in inputs {
            self.binding.bind_input(*name, *value)?;
        }
        self.binding.bind_output_to_device("logits", session.allocator().memory_info())
    }

    /// Make room for `positions` (doubling, at most `limit`), keeping what the buffers hold.
    pub(crate) fn reserve(&mut self, session: &Session, positions: usize, limit: usize) -> ort::Result<()> {
        if positions <= self.capacity {
            return Ok(());
        }
        let grown = positions.max(self.capacity.saturating_mul(2)).min(limit.max(positions));
        self.allocate(session, grown)
    }

    fn allocate(&mut self, session: &Session, capacity: usize) -> ort::Result<()> {
        let KvShape { batch, kv_heads, head_dim } = self.shape;
        let old_cap = self.capacity;
        let mut buffers = Vec::with_capacity(self.names.len());
        for i in 0..self.names.len() {
            let mut t = Tensor::<f32>::new(session.allocator(), [batch, kv_heads, capacity, head_dim])?;
            if let Some(old) = self.buffers.get(i) {
                let (_, src) = old.extract_tensor();
                let (_, dst) = t.extract_tensor_mut();
                let (a, b) = (old_cap * head_dim, capacity * head_dim);
                for row in 0..batch * kv_heads {
                    dst[row * b..row * b + a].copy_from_slice(&src[row * a..(row + 1) * a]);
                }
            }
            buffers.push(t);
        }
        for ((past, present), t) in self.names.iter().zip(buffers.iter_mut()) {
            self.binding.bind_input(past.as_str(), &*t)?;
            self.binding.bind_output(present.as_str(), &mut *t)?;
        }
        self.buffers = buffers;
        self.capacity = capacity;
        Ok(())
    }
}

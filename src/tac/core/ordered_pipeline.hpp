#pragma once
// Items made in parallel, used in order: the inflate loop of every codec family.
//
// Item k is made by worker k % pool.size() (so per-worker state such as a decoder or an upscaler
// needs no lock) into one of `window` reusable buffers, and handed to `consume` on the calling
// thread in order 0, 1, 2, ... At most `window` items are in flight, which bounds memory. An
// optional `prepare` runs on the calling thread, in order, before item k is handed to its worker
// (a sequential stage such as a video decoder); it returns false when there is no item k, which
// ends a stream of unknown length. The first exception (from any stage) is rethrown after every
// item in flight has finished, so no worker outlives the buffers it writes.
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <vector>

#include "tac/core/worker_pool.hpp"

namespace tac {

template <class Buffer>
struct OrderedPipeline {
  std::function<Buffer()> make_buffer;                                // a new buffer (window of them)
  std::function<bool(std::int64_t, Buffer&)> prepare;                 // optional; caller's thread
  std::function<void(int worker, std::int64_t, Buffer&)> produce;     // on worker k % pool.size()
  std::function<void(std::int64_t, Buffer&)> consume;                 // caller's thread, in order

  // Runs items [0, count) (count < 0: until prepare returns false). Returns the items consumed.
  std::int64_t run(WorkerPool& pool, int window, std::int64_t count) const {
    struct Slot {
      Buffer buffer;
      std::future<void> done;
    };
    if (window < 1) window = 1;
    std::vector<Slot> slots;
    slots.reserve(static_cast<std::size_t>(window));
    std::int64_t submitted = 0, consumed = 0;
    auto consume_next = [&] {
      Slot& s = slots[static_cast<std::size_t>(consumed % window)];
      s.done.get();
      consume(consumed, s.buffer);
      ++consumed;
    };
    try {
      while (count < 0 || submitted < count) {
        if (submitted - consumed == window) consume_next();
        const auto index = static_cast<std::size_t>(submitted % window);
        if (slots.size() <= index) slots.push_back(Slot{make_buffer(), {}});
        Slot& s = slots[index];
        if (prepare && !prepare(submitted, s.buffer)) break;
        const int worker = static_cast<int>(submitted % pool.size());
        const std::int64_t k = submitted;
        s.done = pool.submit_to(worker, [this, worker, k, &s] { produce(worker, k, s.buffer); });
        ++submitted;
      }
      while (consumed < submitted) consume_next();
    } catch (...) {
      for (auto& s : slots)
        if (s.done.valid()) s.done.wait();
      throw;
    }
    return consumed;
  }
};

}  // namespace tac

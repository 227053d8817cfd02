// A rotating training pool: after r refreshes it holds exactly the stream's scenes
// r * per_refresh .. r * per_refresh + slots - 1, scene i in slot i mod slots, so each refresh
// replaces exactly the per_refresh oldest and a resumed run can rebuild any step's pool.
#include "tac/twin/scene_rotation.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace {

std::vector<std::int64_t> window(const tac::twin::SceneRotation& rotation, std::int64_t r) {
  std::vector<std::int64_t> scenes;
  for (int slot = 0; slot < rotation.slots(); ++slot) scenes.push_back(rotation.scene_in_slot(slot, r));
  return scenes;
}

}  // namespace

TEST(SceneRotation, EachWindowHoldsTheNextScenesInTheirSlots) {
  const tac::twin::SceneRotation rotation(/*slots=*/5, /*per_refresh=*/2, /*every=*/10);
  ASSERT_TRUE(rotation.active());
  EXPECT_EQ(window(rotation, 0), (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(window(rotation, 1), (std::vector<std::int64_t>{5, 6, 2, 3, 4}));
  EXPECT_EQ(window(rotation, 2), (std::vector<std::int64_t>{5, 6, 7, 8, 4}));
  EXPECT_EQ(window(rotation, 3), (std::vector<std::int64_t>{10, 6, 7, 8, 9}));
  for (std::int64_t r = 0; r < 40; ++r) {
    const std::vector<std::int64_t> now = window(rotation, r);
    const std::set<std::int64_t> held(now.begin(), now.end());
    ASSERT_EQ(held.size(), 5u) << r;
    EXPECT_EQ(*held.begin(), rotation.first_scene(r)) << r;
    EXPECT_EQ(*held.rbegin(), rotation.first_scene(r) + 4) << r;
    for (int slot = 0; slot < 5; ++slot) EXPECT_EQ(rotation.slot_of(now[static_cast<std::size_t>(slot)]), slot);
    if (r == 0) continue;
    // A refresh changes exactly per_refresh slots, the ones holding the oldest scenes.
    const std::vector<std::int64_t> before = window(rotation, r - 1);
    int changed = 0;
    for (int slot = 0; slot < 5; ++slot)
      if (before[static_cast<std::size_t>(slot)] != now[static_cast<std::size_t>(slot)]) {
        ++changed;
        EXPECT_LT(before[static_cast<std::size_t>(slot)], rotation.first_scene(r)) << "a scene still in the window was replaced";
      }
    EXPECT_EQ(changed, 2) << r;
  }
}

TEST(SceneRotation, RefreshesCountFromStepsAndAStillPoolNeverMoves) {
  const tac::twin::SceneRotation rotation(4, 4, 25);  // the whole pool each time
  EXPECT_EQ(rotation.refreshes_by(0), 0);
  EXPECT_EQ(rotation.refreshes_by(24), 0);
  EXPECT_EQ(rotation.refreshes_by(25), 1);
  EXPECT_EQ(rotation.refreshes_by(99), 3);
  EXPECT_EQ(window(rotation, 2), (std::vector<std::int64_t>{8, 9, 10, 11}));

  const tac::twin::SceneRotation still(4, 0, 0);
  EXPECT_FALSE(still.active());
  EXPECT_EQ(still.refreshes_by(1000000), 0);
  EXPECT_EQ(window(still, still.refreshes_by(1000)), (std::vector<std::int64_t>{0, 1, 2, 3}));
}

TEST(SceneRotation, ImpossibleRotationsAreRefused) {
  EXPECT_THROW(tac::twin::SceneRotation(0, 0, 0), tac::Error);   // no pool
  EXPECT_THROW(tac::twin::SceneRotation(4, 2, 0), tac::Error);   // scenes without a period
  EXPECT_THROW(tac::twin::SceneRotation(4, 0, 10), tac::Error);  // a period without scenes
  EXPECT_THROW(tac::twin::SceneRotation(4, 5, 10), tac::Error);  // more than the pool holds
  EXPECT_THROW(tac::twin::SceneRotation(4, -1, 10), tac::Error);
}

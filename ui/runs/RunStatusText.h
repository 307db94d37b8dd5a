// Run states, dates and resumability as the Runs view shows them: one
// translated word per status, local time for the store's UTC stamps.
#pragma once

#include "store/RunStore.h"

#include <QString>

namespace headroom::ui {

QString statusText(store::RunStatus status);
// "2026-11-26T05:20:00.123Z" → the local date and time in the locale's short form.
QString localTimeText(const std::string &utcTimestamp);
// Interrupted, stopped or failed, and its folder has a checkpoint to go on from.
bool isResumable(const store::RunRecord &run);
// Its folder has a complete checkpoint (what the exporters read).
bool hasCheckpoint(const store::RunRecord &run);

} // namespace headroom::ui

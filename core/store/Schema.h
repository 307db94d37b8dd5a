// The run database's schema as ordered migrations: version N is reached by
// applying migration N to a database at version N-1, each in its own
// transaction together with the schema_version row that records it. A file
// from a newer Headroom (a version above kSchemaVersion) is refused rather
// than misread. Internal to core/store.
#pragma once

#include "store/Sqlite.h"

namespace headroom::store {

inline constexpr int kSchemaVersion = 2;

// The version recorded in the file; 0 for a new, empty database.
int readSchemaVersion(sqlite::Database &db);

// Applies every migration above the file's version; returns the version now.
int migrate(sqlite::Database &db);

} // namespace headroom::store

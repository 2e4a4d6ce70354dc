// Versioned, forward-only schema migrations of the SQLite store.
//
// Contract
// - Migration versions are 1, 2, 3, ... in order; a released migration is never edited, a change
//   is a new migration appended to the list.
// - migrate() brings the database up to the newest version. Each pending migration runs in its
//   own BEGIN IMMEDIATE transaction together with its row in schema_migrations, so a crash leaves
//   the database at a whole version and concurrent openers (server and CLI) apply it once.
// - A database whose version is newer than this binary knows is refused with
//   std::runtime_error, before anything is written.
// - A migration still running after one second is announced through `progress`
//   ("migration N: <name> ..."), and its completion too; fast ones report nothing.
#pragma once

#include <span>

#include "store/sqlite/sqlite.h"
#include "store/store.h"

namespace lt::sqlite {

struct Migration {
    int version;
    const char* name;
    const char* sql;
};

std::span<const Migration> migrations();

void migrate(Connection& connection, const StoreOptions& options);

}  // namespace lt::sqlite

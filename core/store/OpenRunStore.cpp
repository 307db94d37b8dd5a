// See OpenRunStore.h.
#include "store/OpenRunStore.h"

#include "common/Error.h"

#include <ctime>

namespace headroom::store {

namespace fs = std::filesystem;

namespace {

fs::path asideName(const fs::path &file)
{
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    fs::path aside = file.string() + ".damaged-" + stamp;
    for (int n = 2; fs::exists(aside); ++n) // two in one second: number them
        aside = file.string() + ".damaged-" + stamp + "-" + std::to_string(n);
    return aside;
}

} // namespace

OpenedRunStore openRunStore(const fs::path &file)
{
    try {
        return {std::make_unique<RunStore>(file), std::nullopt, {}};
    } catch (const DamagedRunStoreError &damaged) {
        const fs::path aside = asideName(file);
        std::error_code ec;
        fs::rename(file, aside, ec);
        if (ec)
            throwFileError(file, std::string(damaged.what()) +
                                     "; setting it aside failed: " + ec.message());
        // The WAL and shared-memory files belong to the damaged database.
        for (const char *suffix : {"-wal", "-shm"}) {
            fs::path companion = file;
            companion += suffix;
            if (fs::exists(companion)) {
                fs::path companionAside = aside;
                companionAside += suffix;
                fs::rename(companion, companionAside, ec);
            }
        }
        OpenedRunStore opened{std::make_unique<RunStore>(file), aside, {}};
        opened.notice = std::string(damaged.what()) + ". It was set aside as " + aside.string() +
                        " and a new run database was started.";
        return opened;
    }
}

} // namespace headroom::store

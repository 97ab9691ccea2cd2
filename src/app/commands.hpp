#pragma once

#include <CLI/CLI.hpp>

#include "app/app_context.hpp"

namespace bulwark::app {

// Each Add*Command registers a subcommand on `cli`; its callback runs the command and stores the
// process exit code in `*exit_code`. `common` is filled by the parent's options before it runs.
void AddServeCommand(CLI::App& cli, const CommonOptions& common, int* exit_code);
void AddAdminCommands(CLI::App& cli, const CommonOptions& common, int* exit_code);

}  // namespace bulwark::app

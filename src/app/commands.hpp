#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "app/app_context.hpp"

namespace bulwark::app {

// Each Add*Command registers a subcommand on `cli`; its callback runs the command and stores the
// process exit code in `*exit_code`. `common` is filled by the parent's options before it runs.
void AddServeCommand(CLI::App& cli, const CommonOptions& common, int* exit_code);
void AddAdminCommands(CLI::App& cli, const CommonOptions& common, int* exit_code);
// `bulwark user add|list|lock|unlock|reset-password` (user_commands.cpp).
void AddUserCommands(CLI::App& cli, const CommonOptions& common, int* exit_code);
// `bulwark routes [--json]`: every route's declaration (routes_command.cpp).
void AddRoutesCommand(CLI::App& cli, const CommonOptions& common, int* exit_code);
// `bulwark audit verify` and `bulwark keys rotate` (security_commands.cpp).
void AddSecurityCommands(CLI::App& cli, const CommonOptions& common, int* exit_code);
// `bulwark demo` and `bulwark generate --scale ...` (registry_commands.cpp).
void AddRegistryCommands(CLI::App& cli, const CommonOptions& common, int* exit_code);
// `bulwark import results FILE [--lab ID] [--apply]` (results_commands.cpp); after
// AddRegistryCommands, which adds `import`.
void AddResultsCommands(CLI::App& cli, const CommonOptions& common, int* exit_code);

// The malloc this process runs on: "jemalloc <version>" when the binary was linked with it (its
// mallctl answers), else "glibc". Shown by `bulwark version` and at `serve`'s start.
std::string MallocName();

}  // namespace bulwark::app

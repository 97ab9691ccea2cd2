#pragma once

#include <memory>

#include "http/router.hpp"
#include "registry/codes/code_service.hpp"
#include "registry/export/resident_export.hpp"
#include "registry/import/import_jobs.hpp"
#include "registry/registry_service.hpp"

namespace bulwark::registry {

// The registry's spreadsheets and codes over HTTP (the contract the web wizard is built on):
//   /api/v1/imports/residents (upload), /api/v1/imports/:id (status), .../mapping, .../apply,
//   .../errors.xlsx (import_api.cpp);
//   /api/v1/residents/export.xlsx and POST /api/v1/residents/export (export_api.cpp);
//   /api/v1/residents/:id/code.svg and /api/v1/cards.pdf (codes_api.cpp).
void AddImportRoutes(http::Router& router, std::shared_ptr<ImportJobs> jobs);
void AddExportRoutes(http::Router& router, std::shared_ptr<ResidentExporter> exporter);
void AddCodeRoutes(http::Router& router, std::shared_ptr<CodeService> codes);

// All three over the registry service's database, keys and clock; the services live as long as
// the router's routes (the import worker thread stops with them).
void AddTransferRoutes(http::Router& router, std::shared_ptr<RegistryService> registry);

// "https://host:port" of the request, for links printed in codes: the scheme it arrived by and
// its Host header.
std::string RequestOrigin(const http::Request& request);

}  // namespace bulwark::registry

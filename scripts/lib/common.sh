# Shared by scripts/start and scripts/test: install what is missing, build.
# Sourced, not run. Expects ROOT to be the repository root.

# Debian 12 packages the build, the tests and the benchmarks need.
BULWARK_PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libpq-dev libsodium-dev libssl-dev libjemalloc-dev
  libqrencode-dev libxlsxwriter-dev libzip-dev libpugixml-dev libfreexl-dev libicu-dev
  libcairo2-dev libpango1.0-dev
  libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  nodejs npm
)
# Only the test command needs these.
BULWARK_TEST_PACKAGES=(postgresql-15 postgresql-contrib chromium fonts-noto-cjk wrk python3)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs the named Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # Debian's nodejs may be absent when Node 20 came another way; accept any node >= 20.
  if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
    local kept=()
    for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || kept+=("$p"); done
    missing=("${kept[@]}")
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Builds the web app into web/dist (npm ci only when the lock file changed).
build_web() {
  log "building the web app"
  (
    cd "$ROOT/web"
    local stamp=node_modules/.bulwark-lock
    if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
      npm ci --no-audit --no-fund
      cp package-lock.json "$stamp"
    fi
    npm run build --silent
  )
}

# Configures and builds one CMake preset ("release" or "debug").
build_preset() {
  log "building the $1 preset"
  (cd "$ROOT" && cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j "$(nproc)")
}

#!/bin/sh
# Install the FFN Workbench desktop entry and icon for the current user (Linux).
# Run after `make run` (or `make install`) has created .venv; `make desktop-entry` calls this.
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor/256x256/apps"
mkdir -p "$apps" "$icons"
cp "$repo/resources/icons/ffn-workbench.png" "$icons/ffn-workbench.png"
sed "s|@REPO@|$repo|g" "$repo/resources/ffn-workbench.desktop" > "$apps/ffn-workbench.desktop"
chmod +x "$apps/ffn-workbench.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$apps" || true
echo "Installed $apps/ffn-workbench.desktop (FFN Workbench in the applications menu)."

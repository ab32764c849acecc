#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# meson install script: install SRC as DEST (under $DESTDIR) with MODE only
# when DEST does not exist yet, so a reinstall or an upgrade from source
# keeps the configuration the administrator edited.
#   install-if-absent.sh SRC DEST MODE
set -eu
dest="${DESTDIR:-}$2"
if [ -e "$dest" ]; then
	echo "Keeping $dest"
	exit 0
fi
echo "Installing $1 to $dest"
install -D -m "$3" "$1" "$dest"

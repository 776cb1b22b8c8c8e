#!/bin/sh
# Provisions the example image: runs on the instance over SSH.
set -eu
echo "provisioning $(hostname) as $(id -un)"
mkdir -p /tmp/forge-example
date -u +%Y-%m-%dT%H:%M:%SZ > /tmp/forge-example/provisioned-at

# forge's main job with no cloud account: three local builds run in parallel and produce real
# artifacts (files, a compressed archive, checksums and a manifest) under examples/output/.
#
#   forge build examples/local.pkr.hcl

variable "out" {
  type        = string
  default     = "output"
  description = "Folder for the artifacts, relative to this template."
}

variable "greeting" {
  type    = string
  default = "hello"
}

variable "api_token" {
  type      = string
  default   = "not-a-real-token"
  sensitive = true
}

locals {
  stamp = formatdate("YYYY-MM-DD", timestamp())
}

source "file" "notes" {
  content = "${var.greeting} from forge, built ${local.stamp}\n"
  target  = "${var.out}/notes.txt"
}

source "file" "config" {
  content = jsonencode({ greeting = var.greeting, sizes = [8, 16] })
  target  = "${var.out}/config.json"
}

source "null" "checks" {
  communicator = "none"
}

build {
  sources = ["source.file.notes", "source.file.config", "source.null.checks"]

  provisioner "shell-local" {
    inline = [
      "echo \"building ${source.name} (${source.type}) as $PACKER_BUILD_NAME\"",
      "sleep 1",
    ]
  }

  provisioner "shell-local" {
    only             = ["null.checks"]
    environment_vars = ["TOKEN=${var.api_token}"]
    inline           = ["echo token is $TOKEN", "test -n \"$TOKEN\""]
  }

  post-processors {
    post-processor "compress" {
      except = ["null.checks"]
      output = "${var.out}/{{.BuildName}}.tar.gz"
    }
    post-processor "checksum" {
      except         = ["null.checks"]
      checksum_types = ["sha256"]
      output         = "${var.out}/{{.BuildName}}.{{.ChecksumType}}"
    }
  }

  post-processor "manifest" {
    output     = "${var.out}/manifest.json"
    strip_time = true
    custom_data = {
      example = "local"
    }
  }
}

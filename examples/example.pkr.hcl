variable "aws_access_key" {
  default = env("AWS_ACCESS_KEY_ID")
}

variable "aws_secret_key" {
  default   = env("AWS_SECRET_ACCESS_KEY")
  sensitive = true
}

variable "region" {
  default = "us-east-1"
}

variable "source_ami" {
  default = "ami-785db401"
}

variable "ssh_username" {
  default = "ubuntu"
}

source "amazon-ebs" "example" {
  access_key    = var.aws_access_key
  secret_key    = var.aws_secret_key
  region        = var.region
  source_ami    = var.source_ami
  instance_type = "t2.micro"
  ssh_username  = var.ssh_username
  ami_name      = "packer-example-{{timestamp}}"
}

build {
  sources = ["source.amazon-ebs.example"]

  provisioner "shell" {
    script = "provision.sh"
  }
}

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

# Empty values leave a setting unset; the tests point them at moto and a local sshd.
variable "endpoint" {
  default = ""
}

variable "ssh_host" {
  default = ""
}

variable "ssh_port" {
  default = "22"
}

variable "ssh_username" {
  default = "ubuntu"
}

variable "ssh_keypair_name" {
  default = ""
}

variable "ssh_private_key_file" {
  default = ""
}

source "amazon-ebs" "example" {
  access_key           = var.aws_access_key
  secret_key           = var.aws_secret_key
  region               = var.region
  source_ami           = var.source_ami
  instance_type        = "t2.micro"
  ssh_username         = var.ssh_username
  ami_name             = "packer-example-{{timestamp}}"
  custom_endpoint_ec2  = var.endpoint
  ssh_host             = var.ssh_host
  ssh_port             = var.ssh_port
  ssh_keypair_name     = var.ssh_keypair_name
  ssh_private_key_file = var.ssh_private_key_file
}

build {
  sources = ["source.amazon-ebs.example"]

  provisioner "shell" {
    script = "provision.sh"
  }
}

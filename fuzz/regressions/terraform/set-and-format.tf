locals {
  a = distinct(range(200000))
  b = format("%0999999999d", 1)
}
resource "azurerm_virtual_network" "v" {
  name = local.b
  address_space = [length(local.a) > 0 ? "10.0.0.0/16" : "x"]
}

// Scope3 Interchange storefront source and data-delivery credentials, and Commerce Layer API credentials, as Pulumi resources.
package platformcredentials

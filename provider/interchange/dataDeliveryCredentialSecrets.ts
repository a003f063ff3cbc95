/**
 * The secret facts of interchange.DataDeliveryCredential, kept apart from its definition so the SDK class can import
 * them at program start-up without loading zod or the HTTP client.
 */

/** Dotted paths of secret inputs: the Azure SAS token (the only secret a data-delivery credential has). */
export const dataDeliveryCredentialSecretInputs = ["destination.sasToken"] as const;

/**
 * Output names that are secret although no input of that name is. None: the SAS token comes back only under
 * `destination.sasToken`, which the engine marks secret because the input of the same path was secret.
 */
export const dataDeliveryCredentialSecretOutputs: readonly string[] = [];

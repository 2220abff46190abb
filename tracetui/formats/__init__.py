"""Wire vocabularies shared by a reader and its writer."""

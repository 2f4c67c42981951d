extension JSONObject {
    /// An optional string field: absent or null is nil, a string is itself, any other type is a
    /// 400 that names the field.
    package func optionalString(_ key: String) throws(ServiceError) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw ServiceError.badRequest("\(key) must be a string, not \(other.typeName)")
        }
    }

    /// An optional integer field, with the same rules.
    package func optionalInt(_ key: String) throws(ServiceError) -> Int? {
        switch self[key] {
        case nil, .null?: return nil
        case let value? where value.intValue != nil: return value.intValue
        case let other?: throw ServiceError.badRequest("\(key) must be an integer, not \(other.typeName)")
        }
    }
}

extension JSON {
    /// The body as an object, or a 400.
    package func requireObject() throws(ServiceError) -> JSONObject {
        guard case .object(let object) = self else {
            throw ServiceError.badRequest("Request body must be a JSON object, not \(typeName)")
        }
        return object
    }
}

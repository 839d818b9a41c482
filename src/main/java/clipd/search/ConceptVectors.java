package clipd.search;

/** The query language's view of the concepts: a name's unit vector, or null when no concept has that name. */
public interface ConceptVectors {
    ConceptVectors NONE = name -> null;

    float[] vector(String name);
}
